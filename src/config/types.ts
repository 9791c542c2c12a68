// The validated, immutable configuration of one `fault run`.
// Built once from argv/env by src/cli, then handed (structured-cloned) to every shard.

export type Side = 'client' | 'server';
export type Direction = 'ingress' | 'egress' | 'both';
export type LatencyDistribution = 'normal' | 'uniform' | 'pareto' | 'pareto-normal';

/** Host + port a listener binds to. `host` is an IP literal or a name (IPv6 without brackets). */
export interface ListenAddress {
  host: string;
  port: number;
}

/** Parameters of a latency distribution, all in milliseconds (shape is unitless). */
export interface LatencySampling {
  distribution: LatencyDistribution;
  mean: number;
  stddev: number;
  shape: number;
  scale: number;
  min: number;
  max: number;
}

export interface LatencyFaultSpec extends LatencySampling {
  kind: 'latency';
  side: Side;
  direction: Direction;
  /** true: a new delay for every chunk; false: one delay per connection / per HTTP exchange. */
  perReadWrite: boolean;
}

/** Every fault the engine knows. Later issues add the other kinds to this union. */
export type FaultSpec = LatencyFaultSpec;
export type FaultKind = FaultSpec['kind'];

/** A schedule window in milliseconds from the start of the run; end undefined = until the end. */
export interface ScheduleWindow {
  startMs: number;
  endMs?: number;
}

export interface ConfiguredFault {
  /** Stable identity of this fault instance (schedules toggle instances, not kinds). */
  id: string;
  spec: FaultSpec;
  /** Empty = active for the whole run. */
  schedule: ScheduleWindow[];
}

/** One entry of `--upstream`: which destinations get faults (everything else is passthrough). */
export type UpstreamMatcher =
  | { kind: 'any' }
  /** port undefined = any port of that host. host is lower-case, IPv6 without brackets. */
  | { kind: 'host'; host: string; port?: number };

export type MappingProtocol = 'tcp' | 'http' | 'https' | 'psql' | 'psqls' | 'tls';

/** One `--proxy` port mapping. */
export interface PortMapping {
  /** The text the user gave, for display. */
  source: string;
  listen: ListenAddress;
  /** tcp/psql/tls: raw byte relay; http/https on the left: HTTP service (reverse) proxy. */
  listenProtocol: MappingProtocol;
  remote: { host: string; port: number };
  /** Speak TLS to the remote (https://, tls://, psqls:// remotes or an https/tls/psqls left side). */
  remoteTls: boolean;
}

export interface RunConfig {
  proxyAddress: ListenAddress;
  disableHttpProxy: boolean;
  mappings: PortMapping[];
  upstreams: UpstreamMatcher[];
  /** Raw `--upstream` values, for display. */
  upstreamsText: string[];
  durationMs?: number;
  workers: number;
  noUi: boolean;
  tail: boolean;
  faults: ConfiguredFault[];
  /** Seed for every random draw; undefined = seeded from the OS. */
  seed?: number;
  /** How long to wait for an upstream TCP connect before giving up (504 / reset). */
  connectTimeoutMs: number;
  /** How long in-flight connections may finish after stop is requested. */
  drainTimeoutMs: number;
}

export interface LoggingConfig {
  logFile?: string;
  logStdout: boolean;
  logLevel: string;
  /** `--with-otel`: accepted and stored; exporting telemetry comes later. */
  withOtel?: boolean;
}

export interface DemoConfig {
  address: string;
  port: number;
}
