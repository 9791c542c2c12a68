// The engine's per-second samples of a run as report points: interval counts rather than
// running totals.
import type { StatsSample } from '../stats/aggregate';
import { type Counters, zeroCounters } from '../stats/counters';
import type { TimeSeriesPoint } from './report-document';

export function timeSeriesOf(samples: readonly StatsSample[]): TimeSeriesPoint[] {
  let previous: Counters = zeroCounters();
  let previousMs = 0;
  return samples.map((sample) => {
    const c = sample.counters;
    const intervalMs = Math.max(0, sample.elapsedMs - previousMs);
    const point: TimeSeriesPoint = {
      elapsedMs: sample.elapsedMs,
      intervalMs,
      exchanges: sample.intervalExchanges,
      exchangesPerSecond: intervalMs > 0 ? (sample.intervalExchanges * 1000) / intervalMs : 0,
      faulted: c.faulted - previous.faulted,
      passthrough: c.passthrough - previous.passthrough,
      errors: c.errors - previous.errors,
      bytesToUpstream: c.bytesToUpstream - previous.bytesToUpstream,
      bytesToClient: c.bytesToClient - previous.bytesToClient,
      p50Ms: sample.intervalExchanges > 0 ? sample.intervalP50Ms : null,
      p99Ms: sample.intervalExchanges > 0 ? sample.intervalP99Ms : null,
      openConnections: sample.openConnections,
    };
    previous = c;
    previousMs = sample.elapsedMs;
    return point;
  });
}
