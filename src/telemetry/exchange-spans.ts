// One span per finished exchange, made on the main thread from the record a shard shipped:
// its real start time and duration, what the client asked, what faults did, and the error.
import { type Attributes, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_TRANSPORT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { ExchangeRecord } from '../stats/exchange-record';

/** Where the proxy's own attributes live, beside the semantic-convention ones. */
export const FAULT_ATTRIBUTES = {
  protocol: 'fault.protocol',
  target: 'fault.target',
  faults: 'fault.faults',
  injectedMs: 'fault.injected_ms',
  passthrough: 'fault.passthrough',
  bytesToUpstream: 'fault.bytes_to_upstream',
  bytesToClient: 'fault.bytes_to_client',
  shard: 'fault.shard',
  error: 'fault.error',
} as const;

/** `host:port` of a CONNECT target, IPv6 in brackets. */
function splitAuthority(authority: string): { host: string; port?: number } {
  const match = /^\[?([^\]]*?)\]?:(\d+)$/.exec(authority);
  return match ? { host: match[1], port: Number(match[2]) } : { host: authority };
}

export function spanAttributes(record: ExchangeRecord): Attributes {
  const attributes: Attributes = {
    [FAULT_ATTRIBUTES.protocol]: record.protocol,
    [FAULT_ATTRIBUTES.target]: record.target,
    [FAULT_ATTRIBUTES.faults]: record.faults,
    [FAULT_ATTRIBUTES.injectedMs]: record.injectedMs,
    [FAULT_ATTRIBUTES.passthrough]: record.passthrough,
    [FAULT_ATTRIBUTES.bytesToUpstream]: record.bytesToUpstream,
    [FAULT_ATTRIBUTES.bytesToClient]: record.bytesToClient,
    [FAULT_ATTRIBUTES.shard]: record.shardId,
  };
  if (record.protocol === 'tcp') {
    attributes[ATTR_NETWORK_TRANSPORT] = 'tcp';
  } else {
    attributes[ATTR_HTTP_REQUEST_METHOD] = record.method;
    if (record.status > 0) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = record.status;
  }
  if (record.protocol === 'http') attributes[ATTR_URL_FULL] = record.target;
  if (record.protocol === 'connect') {
    const { host, port } = splitAuthority(record.target);
    attributes[ATTR_SERVER_ADDRESS] = host;
    if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
  }
  if (record.error !== undefined) attributes[FAULT_ATTRIBUTES.error] = record.error;
  return attributes;
}

export function recordExchangeSpans(tracer: Tracer, records: readonly ExchangeRecord[]): void {
  for (const record of records) {
    // Low-cardinality names, as the HTTP conventions ask: GET, CONNECT, TCP.
    const span = tracer.startSpan(record.method, {
      kind: SpanKind.SERVER,
      startTime: record.startedAt,
      attributes: spanAttributes(record),
      root: true,
    });
    if (record.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: record.error });
    span.end(record.startedAt + record.durationMs);
  }
}
