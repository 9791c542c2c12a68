// DNS: resolving the upstream's host name fails, as if the resolver had no answer. Applies to
// HTTP forwarding (and HTTP service mappings) and to CONNECT tunnels — the original covered
// HTTP forwarding only; the client gets a 502 saying the failure was injected. IP literals need
// no resolution and are never affected (the proxy does not even ask).
//
// One lookup per HTTP exchange or tunnel, so the registry's per-exchange draw of
// `probability()` is exactly "the chance that this lookup fails".
import type { DnsFaultSpec } from '../config/types';
import type { FaultDefinition, StageContext } from './fault';

export const dnsFault: FaultDefinition<DnsFaultSpec> = {
  kind: 'dns',
  probability(spec: DnsFaultSpec): number {
    return spec.probability;
  },
  failsResolution(_spec: DnsFaultSpec, context: StageContext): boolean {
    context.applied('dns', 0);
    return true;
  },
  describe(spec: DnsFaultSpec): string {
    return `dns: resolving upstream host names fails with probability ${spec.probability} (HTTP forwarding and CONNECT; IP literals unaffected)`;
  },
};
