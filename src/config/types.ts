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

export type BandwidthUnit = 'Bps' | 'KBps' | 'MBps' | 'GBps';

export interface BandwidthFaultSpec {
  kind: 'bandwidth';
  side: Side;
  direction: Direction;
  /** Bytes per second (rate × unit, decimal). */
  bytesPerSecond: number;
}

export interface JitterFaultSpec {
  kind: 'jitter';
  side: Side;
  direction: Direction;
  /** Largest extra delay in ms; each jitter delay is uniform in [0, amplitude]. */
  amplitudeMs: number;
  /** How many times per second a jitter delay may hit one flow of a connection. */
  frequencyHz: number;
}

export interface PacketLossFaultSpec {
  kind: 'packet-loss';
  side: Side;
  direction: Direction;
  /** undefined: the Markov chain of link states (the original's model); else a plain per-chunk probability. */
  rate?: number;
  /** First retransmission timeout in ms; doubles on consecutive losses. */
  rtoMs: number;
}

export interface BlackholeFaultSpec {
  kind: 'blackhole';
  side: Side;
  direction: Direction;
}

export interface HttpResponseFaultSpec {
  kind: 'http-response';
  status: number;
  body?: string;
  /** Chance, per HTTP request, that the fault answers instead of the upstream. */
  probability: number;
}

export interface DnsFaultSpec {
  kind: 'dns';
  /** Chance that resolving an upstream host name fails. */
  probability: number;
}

export interface ResetPeerFaultSpec {
  kind: 'reset-peer';
  /** The connection is reset (RST to both peers) this long after it opened. */
  afterMs: number;
  probability: number;
}

export interface SlowCloseFaultSpec {
  kind: 'slow-close';
  side: Side;
  direction: Direction;
  /** How long the end of a flow (FIN) is held back. */
  delayMs: number;
  probability: number;
}

export interface SlicerFaultSpec {
  kind: 'slicer';
  side: Side;
  direction: Direction;
  /** Mean size of a slice in bytes, and how much it varies (uniform ±). */
  averageSize: number;
  sizeVariation: number;
  /** Pause between two slices, in ms. */
  delayMs: number;
  probability: number;
}

export interface LimitDataFaultSpec {
  kind: 'limit-data';
  side: Side;
  direction: Direction;
  /** The connection is closed once this many bytes went through the selected flow(s). */
  bytes: number;
  probability: number;
}

export interface TimeoutFaultSpec {
  kind: 'timeout';
  side: Side;
  direction: Direction;
  /** Data stops; the connection is closed after this long (0 = never). */
  afterMs: number;
  probability: number;
}

/** Every fault the engine knows. */
export type FaultSpec =
  | LatencyFaultSpec
  | BandwidthFaultSpec
  | JitterFaultSpec
  | PacketLossFaultSpec
  | BlackholeFaultSpec
  | HttpResponseFaultSpec
  | DnsFaultSpec
  | ResetPeerFaultSpec
  | SlowCloseFaultSpec
  | SlicerFaultSpec
  | LimitDataFaultSpec
  | TimeoutFaultSpec;
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

/** `--stealth`: eBPF redirection of a process's IPv4 TCP connects to a stealth listener. */
export interface StealthConfig {
  /** Processes whose kernel name (comm, at most 15 bytes) starts with this are captured. */
  processName: string;
  /** `--ebpf-proxy-ip`; undefined: 127.0.0.1, or the first IPv4 of `iface`. */
  proxyIp?: string;
  /** `--ebpf-proxy-port`; 0 = a free port picked at start. */
  proxyPort: number;
  /** `--ebpf-proxy-iface`: listen on that interface's first IPv4 address. */
  iface?: string;
  /** `--cgroup-path`; undefined: the root of the cgroup v2 mount found in /proc/mounts. */
  cgroupPath?: string;
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
  /** `--report PATH`: write a report there at exit (format from the extension). */
  reportPath?: string;
  /** `--metrics-address`: serve Prometheus metrics there. */
  metricsAddress?: ListenAddress;
  faults: ConfiguredFault[];
  /** Seed for every random draw; undefined = seeded from the OS. */
  seed?: number;
  /** How long to wait for an upstream TCP connect before giving up (504 / reset). */
  connectTimeoutMs: number;
  /** How long in-flight connections may finish after stop is requested. */
  drainTimeoutMs: number;
  /** `--with-otel` (a global flag): export OpenTelemetry traces and metrics. */
  otel?: boolean;
  /** `--stealth --capture-process NAME`. */
  stealth?: StealthConfig;
}

export interface LoggingConfig {
  logFile?: string;
  logStdout: boolean;
  logLevel: string;
  /** `--with-otel`: export OpenTelemetry traces and metrics (copied into RunConfig.otel). */
  withOtel?: boolean;
}

export interface DemoConfig {
  address: string;
  port: number;
}
