// HTTP response: the proxy answers a request itself, with the configured status and body,
// without contacting the upstream (the original still sent the request and only replaced the
// status afterwards, and did not fire at all when the upstream was unreachable).
//
// Chosen per request: the registry draws `probability()` once per HTTP exchange. Tunnels and TCP
// mappings carry opaque bytes, so there it does nothing (no stage). The answer still flows
// through the toClient stages of the other faults, so latency or bandwidth apply to it too.
import type { HttpResponseFaultSpec } from '../config/types';
import type { FaultDefinition, HttpAnswer, StageContext } from './fault';

export const httpResponseFault: FaultDefinition<HttpResponseFaultSpec> = {
  kind: 'http-response',
  probability(spec: HttpResponseFaultSpec): number {
    return spec.probability;
  },
  answerHttp(spec: HttpResponseFaultSpec, context: StageContext): HttpAnswer {
    context.applied('http-response', 0);
    return { status: spec.status, body: spec.body ?? '' };
  },
  describe(spec: HttpResponseFaultSpec): string {
    const body = spec.body === undefined || spec.body === '' ? 'an empty body' : `a ${Buffer.byteLength(spec.body)}-byte body`;
    return `http-response ${spec.status} with ${body}, probability ${spec.probability} per request, upstream not contacted`;
  },
};
