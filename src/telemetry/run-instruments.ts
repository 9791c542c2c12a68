// The run's metrics as OpenTelemetry instruments: the same counters and gauges as the
// Prometheus endpoint (observed from the merged statistics at each collection), and duration
// histograms recorded from exchange records.
import { type Histogram, type Meter, type Observable, ValueType } from '@opentelemetry/api';
import { DURATION_BUCKETS_SECONDS } from '../metrics/histogram-buckets';
import { type RunMetricSources, collectRunMetrics } from '../metrics/run-metrics';
import type { ExchangeRecord } from '../stats/exchange-record';

export interface RunInstruments {
  recordExchanges(records: readonly ExchangeRecord[]): void;
}

export function createRunInstruments(meter: Meter, sources: () => RunMetricSources): RunInstruments {
  const observables = new Map<string, Observable>();
  for (const metric of collectRunMetrics(sources())) {
    // Every run metric is a whole number: export integers, not doubles.
    const options = { description: metric.help, unit: metric.unit, valueType: ValueType.INT };
    const instrument =
      metric.kind === 'counter'
        ? meter.createObservableCounter(metric.otelName, options)
        : meter.createObservableGauge(metric.otelName, options);
    observables.set(metric.otelName, instrument);
  }
  // One snapshot per collection, so every instrument reports the same moment.
  meter.addBatchObservableCallback((result) => {
    for (const metric of collectRunMetrics(sources())) {
      const instrument = observables.get(metric.otelName);
      if (!instrument) continue;
      for (const series of metric.series) result.observe(instrument, series.value, series.labels);
    }
  }, [...observables.values()]);

  const advice = { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] };
  const durations: Histogram = meter.createHistogram('fault.exchange.duration', {
    description: 'How long finished exchanges took, faults included.',
    unit: 's',
    advice,
  });
  const injected: Histogram = meter.createHistogram('fault.exchange.injected_delay', {
    description: 'Total delay faults injected into one exchange (exchanges that got none are not recorded).',
    unit: 's',
    advice,
  });
  return {
    recordExchanges(records) {
      for (const record of records) {
        const attributes = { 'fault.protocol': record.protocol, 'fault.passthrough': record.passthrough };
        durations.record(record.durationMs / 1000, attributes);
        if (record.injectedMs > 0) injected.record(record.injectedMs / 1000, attributes);
      }
    },
  };
}
