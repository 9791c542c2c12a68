// Per-second buckets of a run built from the exchange records, by the moment each exchange
// finished. Unlike the engine's samples (attributed when a shard reports), these are exact.
import type { ExchangeRecord } from '../stats/exchange-record';
import type { PerSecondPoint } from './report-document';

const BUCKET_MS = 1000;

/** `runStart` and `runEnd` in ms since the epoch, like the records' start times. */
export function perSecondOf(records: readonly ExchangeRecord[], runStart: number, runEnd: number): PerSecondPoint[] {
  const spanMs = Math.max(0, runEnd - runStart);
  const buckets = Math.max(1, Math.ceil(spanMs / BUCKET_MS));
  const points: PerSecondPoint[] = Array.from({ length: buckets }, (_, i) => ({
    startMs: i * BUCKET_MS,
    durationMs: Math.min(BUCKET_MS, spanMs - i * BUCKET_MS) || BUCKET_MS,
    exchanges: 0,
    exchangesPerSecond: 0,
    faulted: 0,
    passthrough: 0,
    errors: 0,
    bytesToUpstream: 0,
    bytesToClient: 0,
    p50Ms: null,
    p99Ms: null,
  }));
  const durations: number[][] = points.map(() => []);
  for (const record of records) {
    const finishedMs = record.startedAt + record.durationMs - runStart;
    // Exchanges from just before the start, or finishing in the last instant, go to the edges.
    const index = Math.min(buckets - 1, Math.max(0, Math.floor(finishedMs / BUCKET_MS)));
    const point = points[index];
    point.exchanges++;
    if (record.passthrough) point.passthrough++;
    if (record.faults.length > 0) point.faulted++;
    if (record.error !== undefined) point.errors++;
    point.bytesToUpstream += record.bytesToUpstream;
    point.bytesToClient += record.bytesToClient;
    durations[index].push(record.durationMs);
  }
  points.forEach((point, i) => {
    point.exchangesPerSecond = (point.exchanges * 1000) / point.durationMs;
    const sorted = durations[i].sort((a, b) => a - b);
    if (sorted.length > 0) {
      point.p50Ms = percentileOfSorted(sorted, 50);
      point.p99Ms = percentileOfSorted(sorted, 99);
    }
  });
  return points;
}

/** The smallest value with at least `percentile` % of the values at or below it (as HDR does). */
function percentileOfSorted(sorted: number[], percentile: number): number {
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1];
}
