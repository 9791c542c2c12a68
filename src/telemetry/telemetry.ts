// `--with-otel`: OpenTelemetry traces (one span per finished exchange) and metrics (the run's
// counters, exported periodically), configured by the standard OTEL_* variables, flushed and
// shut down when the run ends.
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { packageVersion } from '../cli/version';
import type { Logger } from '../engine/logger';
import type { RunMetricSources } from '../metrics/run-metrics';
import type { ExchangeRecord } from '../stats/exchange-record';
import { recordExchangeSpans } from './exchange-spans';
import { routeOtelDiagnostics, stopRoutingOtelDiagnostics } from './otel-diagnostics';
import { createMetricExporter, createSpanExporter } from './otel-exporters';
import { runResource } from './otel-resource';
import { otelSettingsFromEnv } from './otel-settings';
import { type RunInstruments, createRunInstruments } from './run-instruments';

const SCOPE = 'fault';
/** A collector that is down (the exporters retry for up to 10 s) must not hold the exit for long. */
const SHUTDOWN_LIMIT_MS = 3_000;

export interface Telemetry {
  /** Finished exchanges, as shipped by the shards. */
  exchanges(records: readonly ExchangeRecord[]): void;
  /** Exports what is pending and stops the providers. */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Read at each metrics collection. */
  sources: () => RunMetricSources;
  log: Logger;
  env?: Record<string, string | undefined>;
}

const DISABLED: Telemetry = { exchanges: () => undefined, shutdown: async () => undefined };

export function startTelemetry({ sources, log, env = process.env }: TelemetryOptions): Telemetry {
  const settings = otelSettingsFromEnv(env);
  for (const warning of settings.warnings) process.stderr.write(`warning: --with-otel: ${warning}\n`);
  if (!settings.enabled) {
    log.info('OpenTelemetry: OTEL_SDK_DISABLED=true, nothing exported');
    return DISABLED;
  }
  routeOtelDiagnostics(log);
  const resource = runResource();
  const version = packageVersion();

  const tracerProvider = settings.traces.enabled
    ? new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(createSpanExporter(settings.traces.protocol))] })
    : undefined;
  const tracer = tracerProvider?.getTracer(SCOPE, version);

  let meterProvider: MeterProvider | undefined;
  let instruments: RunInstruments | undefined;
  if (settings.metrics.enabled) {
    const reader = new PeriodicExportingMetricReader({
      exporter: createMetricExporter(settings.metrics.protocol),
      exportIntervalMillis: settings.metricExportIntervalMs,
      exportTimeoutMillis: settings.metricExportTimeoutMs,
    });
    meterProvider = new MeterProvider({ resource, readers: [reader] });
    instruments = createRunInstruments(meterProvider.getMeter(SCOPE, version), sources);
  }
  log.info(
    `OpenTelemetry: traces ${tracer ? settings.traces.protocol : 'off'}, ` +
      `metrics ${meterProvider ? `${settings.metrics.protocol} every ${settings.metricExportIntervalMs} ms` : 'off'}`,
  );

  return {
    exchanges(records) {
      if (tracer) recordExchangeSpans(tracer, records);
      instruments?.recordExchanges(records);
    },
    async shutdown() {
      // Shutting down flushes: pending spans go out, and the reader makes a last collection.
      const done = Promise.allSettled([tracerProvider?.shutdown(), meterProvider?.shutdown()]);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), SHUTDOWN_LIMIT_MS)));
      const outcome = await Promise.race([done, late]);
      clearTimeout(timer);
      if (outcome === 'late') process.stderr.write('warning: OpenTelemetry export did not finish in time; some telemetry was lost\n');
      else for (const result of outcome) if (result.status === 'rejected') log.warn(`OpenTelemetry shutdown: ${String(result.reason)}`);
      stopRoutingOtelDiagnostics();
    },
  };
}
