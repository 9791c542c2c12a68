// The OTEL_* variables we read ourselves. Endpoints, headers, certificates and timeouts of the
// exporters (OTEL_EXPORTER_OTLP_[TRACES_|METRICS_]ENDPOINT/HEADERS/TIMEOUT...) are read by the
// official exporter packages; the resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) by
// otel-resource.ts.

export type OtlpProtocol = 'http/protobuf' | 'http/json';
export type Signal = 'traces' | 'metrics';

export interface SignalSettings {
  /** false: OTEL_TRACES_EXPORTER / OTEL_METRICS_EXPORTER is `none`. */
  enabled: boolean;
  protocol: OtlpProtocol;
}

export interface OtelSettings {
  /** false when OTEL_SDK_DISABLED=true. */
  enabled: boolean;
  traces: SignalSettings;
  metrics: SignalSettings;
  metricExportIntervalMs: number;
  metricExportTimeoutMs: number;
  /** Values we could not honour, each worth a warning. */
  warnings: string[];
}

/** The brief asks for 10 s (the specification's default is 60 s). */
const DEFAULT_METRIC_INTERVAL_MS = 10_000;
const DEFAULT_METRIC_TIMEOUT_MS = 30_000;
const DEFAULT_PROTOCOL: OtlpProtocol = 'http/protobuf';

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function protocolFor(env: Env, signal: Signal, warnings: string[]): OtlpProtocol {
  const specific = `OTEL_EXPORTER_OTLP_${signal.toUpperCase()}_PROTOCOL`;
  const name = text(env, specific) !== undefined ? specific : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const value = text(env, name)?.toLowerCase();
  if (value === undefined) return DEFAULT_PROTOCOL;
  if (value === 'http/protobuf' || value === 'http/json') return value;
  const why = value === 'grpc' ? 'gRPC export is not supported' : 'unknown protocol';
  warnings.push(`${name}=${value}: ${why}; sending ${DEFAULT_PROTOCOL} (an OTLP/HTTP endpoint, usually port 4318)`);
  return DEFAULT_PROTOCOL;
}

function exporterEnabled(env: Env, signal: Signal, warnings: string[]): boolean {
  const name = `OTEL_${signal.toUpperCase()}_EXPORTER`;
  const value = text(env, name)?.toLowerCase();
  if (value === undefined || value === 'otlp') return true;
  if (value === 'none') return false;
  // Console exporters would print on stdout, over the terminal UI: never.
  warnings.push(`${name}=${value}: only otlp and none are supported; using otlp`);
  return true;
}

function milliseconds(env: Env, name: string, fallback: number, warnings: string[]): number {
  const value = text(env, name);
  if (value === undefined) return fallback;
  const ms = Number(value);
  if (Number.isFinite(ms) && ms > 0) return ms;
  warnings.push(`${name}=${value}: not a positive number of milliseconds; using ${fallback}`);
  return fallback;
}

export function otelSettingsFromEnv(env: Env = process.env): OtelSettings {
  const warnings: string[] = [];
  const interval = milliseconds(env, 'OTEL_METRIC_EXPORT_INTERVAL', DEFAULT_METRIC_INTERVAL_MS, warnings);
  const timeout = milliseconds(env, 'OTEL_METRIC_EXPORT_TIMEOUT', DEFAULT_METRIC_TIMEOUT_MS, warnings);
  return {
    enabled: text(env, 'OTEL_SDK_DISABLED')?.toLowerCase() !== 'true',
    traces: { enabled: exporterEnabled(env, 'traces', warnings), protocol: protocolFor(env, 'traces', warnings) },
    metrics: { enabled: exporterEnabled(env, 'metrics', warnings), protocol: protocolFor(env, 'metrics', warnings) },
    metricExportIntervalMs: interval,
    // The periodic reader refuses a timeout longer than its interval.
    metricExportTimeoutMs: Math.min(timeout, interval),
    // Both signals fall back on the same general variables: say each problem once.
    warnings: [...new Set(warnings)],
  };
}
