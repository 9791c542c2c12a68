// The one series the plots and the "over time" tables show: the exact per-second buckets
// when the records are complete, else the engine's samples. Long runs are folded so a table
// or a plot stays readable.
import type { RunReportDocument } from './report-document';

export interface SeriesPoint {
  /** ms from the start of the run. */
  startMs: number;
  endMs: number;
  exchanges: number;
  faulted: number;
  errors: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** A gauge from the engine's samples (the nearest one); null when none is close. */
  openConnections: number | null;
}

export interface DisplaySeries {
  source: 'records' | 'samples';
  points: SeriesPoint[];
}

export function displaySeries(doc: RunReportDocument): DisplaySeries {
  if (doc.perSecond !== null && doc.perSecond.some((p) => p.exchanges > 0)) {
    return {
      source: 'records',
      points: doc.perSecond.map((p) => ({
        startMs: p.startMs,
        endMs: p.startMs + p.durationMs,
        exchanges: p.exchanges,
        faulted: p.faulted,
        errors: p.errors,
        p50Ms: p.p50Ms,
        p99Ms: p.p99Ms,
        openConnections: openConnectionsNear(doc, p.startMs + p.durationMs),
      })),
    };
  }
  return {
    source: 'samples',
    points: doc.timeSeries.map((p) => ({
      startMs: p.elapsedMs - p.intervalMs,
      endMs: p.elapsedMs,
      exchanges: p.exchanges,
      faulted: p.faulted,
      errors: p.errors,
      p50Ms: p.p50Ms,
      p99Ms: p.p99Ms,
      openConnections: p.openConnections,
    })),
  };
}

/** The open connections of the sample taken nearest `elapsedMs`, if one is within a second. */
function openConnectionsNear(doc: RunReportDocument, elapsedMs: number): number | null {
  let best: number | null = null;
  let distance = 1000;
  for (const sample of doc.timeSeries) {
    const d = Math.abs(sample.elapsedMs - elapsedMs);
    if (d <= distance) {
      distance = d;
      best = sample.openConnections;
    }
  }
  return best;
}

export function perSecond(count: number, point: SeriesPoint): number {
  const ms = point.endMs - point.startMs;
  return ms > 0 ? (count * 1000) / ms : 0;
}

/** What a reader is told about where the series comes from. */
export function seriesSourceNote(series: DisplaySeries): string {
  return series.source === 'records'
    ? 'One-second buckets by the time each exchange finished (exact, from the records).'
    : 'The engine’s samples, about one a second: counts arrive when shards report, so a point may carry up to a second of its neighbour’s exchanges.';
}

/**
 * At most `maxPoints` points: consecutive points are merged, counts added up. Percentiles
 * cannot be merged exactly, so a merged point carries the highest of them (the worst moment
 * stays visible).
 */
export function foldSeries(points: readonly SeriesPoint[], maxPoints: number): SeriesPoint[] {
  if (points.length <= maxPoints) return [...points];
  const perGroup = Math.ceil(points.length / maxPoints);
  const folded: SeriesPoint[] = [];
  for (let start = 0; start < points.length; start += perGroup) {
    folded.push(mergePoints(points.slice(start, start + perGroup)));
  }
  return folded;
}

export function pointsPerRow(total: number, maxPoints: number): number {
  return total <= maxPoints ? 1 : Math.ceil(total / maxPoints);
}

function mergePoints(group: readonly SeriesPoint[]): SeriesPoint {
  const sum = (pick: (p: SeriesPoint) => number) => group.reduce((total, p) => total + pick(p), 0);
  const highest = (pick: (p: SeriesPoint) => number | null) =>
    group.reduce<number | null>((max, p) => {
      const value = pick(p);
      return value === null ? max : Math.max(max ?? value, value);
    }, null);
  const last = group[group.length - 1];
  return {
    startMs: group[0].startMs,
    endMs: last.endMs,
    exchanges: sum((p) => p.exchanges),
    faulted: sum((p) => p.faulted),
    errors: sum((p) => p.errors),
    p50Ms: highest((p) => p.p50Ms),
    p99Ms: highest((p) => p.p99Ms),
    openConnections: last.openConnections,
  };
}
