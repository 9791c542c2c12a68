// One scrape: build info, every run counter and gauge, and the latency histograms, rendered
// in the Prometheus text format.
import { packageVersion } from '../cli/version';
import { DURATION_BUCKETS_SECONDS, cumulativeBuckets } from './histogram-buckets';
import { ExpositionWriter } from './prometheus-text';
import { type RunMetricSources, collectRunMetrics } from './run-metrics';

const VERSION = packageVersion();

export function renderPrometheus(sources: RunMetricSources): string {
  const out = new ExpositionWriter();
  out.family('fault_build_info', 'gauge', 'Always 1; the labels say which fault and which Node.js serve these metrics.');
  out.sample('fault_build_info', { version: VERSION, nodejs: process.version }, 1);

  for (const metric of collectRunMetrics(sources)) {
    out.family(metric.prometheusName, metric.kind, metric.help);
    for (const series of metric.series) out.sample(metric.prometheusName, series.labels, series.value);
  }

  const histograms = [
    {
      name: 'fault_exchange_duration_seconds',
      help: 'How long finished exchanges took, from the request head (or the accepted connection) to the end, faults included.',
      histogram: sources.stats.exchangeDurations,
    },
    {
      name: 'fault_injected_delay_seconds',
      help: 'Delays injected by faults, one observation per application (a delayed chunk, a held-back close...).',
      histogram: sources.stats.injectedDelays,
    },
  ];
  for (const { name, help, histogram } of histograms) {
    const buckets = cumulativeBuckets(histogram, DURATION_BUCKETS_SECONDS);
    out.family(name, 'histogram', help);
    out.histogram(name, {}, DURATION_BUCKETS_SECONDS, buckets.counts, buckets.sumSeconds, buckets.count);
  }
  return out.text();
}
