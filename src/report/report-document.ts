// The report of a run as data: the versioned JSON schema `fault-run-report/1`. The JSON file
// is this object; the Markdown and HTML reports are renderings of it, so all three agree.
// Compatible additions keep the version; renaming, removing or changing the meaning of a
// field bumps it to `fault-run-report/2`.

export const REPORT_SCHEMA = 'fault-run-report/1';

export interface RunReportDocument {
  schema: typeof REPORT_SCHEMA;
  generator: { name: 'fault'; version: string };
  run: RunInfo;
  totals: RunTotals;
  /** One entry per fault kind configured or applied, in configuration order. */
  faults: FaultKindTotals[];
  latency: {
    /** Time from the first byte of a request (or connection) to the end of the exchange. */
    exchangeDurations: LatencyDistribution;
    /** Sum of the delays faults added to each exchange that got any. */
    injectedDelays: LatencyDistribution;
  };
  shards: ShardTotalsReport[];
  /**
   * The engine's samples, about one a second. Shards report their counts once a second on
   * their own clock, so a point may carry up to a second of its neighbour's exchanges.
   */
  timeSeries: TimeSeriesPoint[];
  /**
   * Exact per-second buckets by the time each exchange finished, from the records; null when
   * records were dropped (the buckets would undercount). The plots use this when present.
   */
  perSecond: PerSecondPoint[] | null;
  /** What the per-exchange records say (only the records kept: see recordsDropped). */
  exchanges: ExchangeDigest;
}

export interface RunInfo {
  /** ISO 8601, UTC. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  /** --duration, or null when the run went on until a signal. */
  requestedDurationMs: number | null;
  /** `duration elapsed`, `SIGINT` or `SIGTERM`. */
  stopReason: string;
  shards: number;
  seed: number;
  listeners: ListenerInfo[];
  upstreams: UpstreamFilter;
  faults: FaultInfo[];
}

export interface ListenerInfo {
  kind: 'http-proxy' | 'tcp-mapping' | 'http-service';
  /** host:port actually bound ([v6]:port for IPv6). */
  address: string;
  /** Where a mapping relays to; null for the HTTP proxy. */
  remote: string | null;
  remoteTls: boolean;
}

export interface UpstreamFilter {
  /** none: no --upstream, every exchange is passthrough; all: `*`; listed: only `entries`. */
  mode: 'none' | 'all' | 'listed';
  entries: string[];
}

export interface FaultInfo {
  id: string;
  kind: string;
  /** One human line, as printed when the run starts. */
  description: string;
  /** The fault's settings (durations in ms, rates in bytes/s), as validated. */
  parameters: Record<string, unknown>;
  /** When the fault is active, in ms from the start; empty = the whole run. */
  schedule: ScheduleWindowReport[];
}

export interface ScheduleWindowReport {
  startMs: number;
  /** null = until the end of the run. */
  endMs: number | null;
}

export interface RunTotals {
  exchanges: number;
  faulted: number;
  passthrough: number;
  errors: number;
  exchangesPerSecond: number;
  bytesToUpstream: number;
  bytesToClient: number;
  connectionsAccepted: number;
  connectionsClosed: number;
  /** Still open when the drain time ran out, and closed by force. */
  connectionsCutAtStop: number;
}

export interface FaultKindTotals {
  kind: string;
  /** How many times the fault acted (a delayed chunk, a dropped packet, an answered request...). */
  applications: number;
  /** How many exchanges it acted on at least once. */
  exchangesAffected: number;
}

export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface LatencyDistribution extends LatencySummary {
  /** The value at percentiles from 0 to 99.99, evenly spaced on a log scale of 1/(1 - p). */
  percentileCurve: Array<{ percentile: number; ms: number }>;
  /** Counts in contiguous bins between the smallest and the largest value. */
  histogram: { scale: 'linear' | 'log'; bins: Array<{ fromMs: number; toMs: number; count: number }> };
  /** The full HDR histogram (µs, 3 significant digits), compressed base64: any HdrHistogram library reads it. */
  hdrBase64: string;
}

export interface ShardTotalsReport {
  shard: number;
  exchanges: number;
  faulted: number;
  passthrough: number;
  errors: number;
  bytesToUpstream: number;
  bytesToClient: number;
  connectionsAccepted: number;
  faultsApplied: Record<string, number>;
}

export interface TimeSeriesPoint {
  /** End of the interval, ms from the start of the run. */
  elapsedMs: number;
  intervalMs: number;
  /** Exchanges finished in the interval, and the same per second. */
  exchanges: number;
  exchangesPerSecond: number;
  faulted: number;
  passthrough: number;
  errors: number;
  bytesToUpstream: number;
  bytesToClient: number;
  /** Percentiles of the exchanges finished in the interval; null when none finished. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Open at the end of the interval. */
  openConnections: number;
}

export interface PerSecondPoint {
  /** Start of the one-second bucket, ms from the start of the run; the last one may be shorter. */
  startMs: number;
  durationMs: number;
  /** Exchanges that finished in the bucket, and the same per second of bucket. */
  exchanges: number;
  exchangesPerSecond: number;
  /** Exchanges at least one fault acted on. */
  faulted: number;
  passthrough: number;
  errors: number;
  bytesToUpstream: number;
  bytesToClient: number;
  /** Exact percentiles of the exchanges that finished in the bucket; null when none did. */
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface ExchangeDigest {
  recordsKept: number;
  /** Records not kept (a very long run, or shards shedding records under load). */
  recordsDropped: number;
  byProtocol: { http: number; connect: number; tcp: number };
  /** Ascending by status; status 0 = no HTTP status (tunnels, TCP, failures before a status). */
  statusCodes: Array<{ status: number; count: number }>;
  /** The most frequent error messages, most frequent first. */
  errorMessages: Array<{ message: string; count: number }>;
  /** Slowest first. */
  slowest: SlowExchange[];
}

export interface SlowExchange {
  startedAt: string;
  durationMs: number;
  shard: number;
  protocol: string;
  method: string;
  target: string;
  status: number;
  passthrough: boolean;
  faults: string[];
  injectedMs: number;
  bytesToUpstream: number;
  bytesToClient: number;
  error: string | null;
}
