// One line of history per finished exchange (HTTP request, CONNECT tunnel, TCP connection):
// what `--tail` prints, what reports and traces are made of.

export type ExchangeProtocol = 'http' | 'connect' | 'tcp';

export interface ExchangeRecord {
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
  durationMs: number;
  shardId: number;
  protocol: ExchangeProtocol;
  /** The HTTP method; `CONNECT` for tunnels; `TCP` for mappings. */
  method: string;
  /** Absolute URL for HTTP, host:port for CONNECT, `listen => remote` for a TCP mapping. */
  target: string;
  /** HTTP status the client got; 0 for tunnels and TCP connections (and failures before a status). */
  status: number;
  bytesToUpstream: number;
  bytesToClient: number;
  /** Relayed untouched because the destination is not in --upstream. */
  passthrough: boolean;
  /** Kinds of the faults that acted on this exchange, in the order they first acted. */
  faults: string[];
  /** Sum of the delays faults injected into this exchange, in ms. */
  injectedMs: number;
  /** Set when the exchange failed (upstream unreachable, reset, malformed request...). */
  error?: string;
}
