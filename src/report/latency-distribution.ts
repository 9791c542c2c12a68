// Turns a merged HDR histogram (µs) into what a report shows of it: percentiles, the
// percentile curve, a binned histogram for plotting, and the histogram itself, encoded.
import * as hdr from 'hdr-histogram-js';
import { type Histogram, encodeHistogram, percentilesOf } from '../stats/histogram';
import type { LatencyDistribution } from './report-document';

/** Curve points per decade of 1/(1 - p), over 4 decades: 0 %, 90 %, 99 %, 99.9 %, 99.99 %. */
const CURVE_STEPS_PER_DECADE = 20;
const CURVE_DECADES = 4;
const LINEAR_BINS = 40;
const LOG_BINS_PER_DECADE = 12;
/** Above this max/min ratio the bins are logarithmic: long tails stay readable. */
const LOG_SCALE_RATIO = 4;

export function latencyDistributionOf(histogram: Histogram): LatencyDistribution {
  const summary = percentilesOf(histogram);
  const empty = summary.count === 0;
  return {
    ...summary,
    percentileCurve: empty ? [] : percentileCurve(histogram),
    histogram: empty ? { scale: 'linear', bins: [] } : binned(histogram, summary.minMs, summary.maxMs),
    hdrBase64: encodeHistogram(histogram),
  };
}

function percentileCurve(histogram: Histogram): LatencyDistribution['percentileCurve'] {
  const points: LatencyDistribution['percentileCurve'] = [];
  for (let step = 0; step <= CURVE_DECADES * CURVE_STEPS_PER_DECADE; step++) {
    const percentile = round(100 * (1 - 10 ** (-step / CURVE_STEPS_PER_DECADE)), 4);
    points.push({ percentile, ms: histogram.getValueAtPercentile(percentile) / 1000 });
  }
  return points;
}

/** Every distinct recorded value (ms) with its count. */
function recordedValues(histogram: Histogram): Array<[number, number]> {
  if (histogram instanceof hdr.JsHistogram) {
    const values: Array<[number, number]> = [];
    const iterator = histogram.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      values.push([step.valueIteratedTo / 1000, step.countAtValueIteratedTo]);
    }
    return values;
  }
  // Other implementations hide their buckets: sample the quantile function instead.
  const samples = 1000;
  const weight = histogram.totalCount / samples;
  return Array.from({ length: samples }, (_, i) => [histogram.getValueAtPercentile(((i + 0.5) * 100) / samples) / 1000, weight]);
}

function binned(histogram: Histogram, minMs: number, maxMs: number): LatencyDistribution['histogram'] {
  const log = maxMs / minMs > LOG_SCALE_RATIO;
  const edges = log ? logEdges(minMs, maxMs) : linearEdges(minMs, maxMs);
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const [ms, count] of recordedValues(histogram)) {
    counts[binIndex(edges, ms)] += count;
  }
  return {
    scale: log ? 'log' : 'linear',
    bins: counts.map((count, i) => ({ fromMs: round(edges[i], 3), toMs: round(edges[i + 1], 3), count: Math.round(count) })),
  };
}

function linearEdges(minMs: number, maxMs: number): number[] {
  // A little room on both sides, and never a zero-width range (all values equal).
  const pad = Math.max((maxMs - minMs) * 0.05, maxMs * 0.01, 0.001);
  const low = Math.max(0, minMs - pad);
  const width = (maxMs + pad - low) / LINEAR_BINS;
  return Array.from({ length: LINEAR_BINS + 1 }, (_, i) => low + i * width);
}

function logEdges(minMs: number, maxMs: number): number[] {
  const low = Math.log10(minMs) - 0.01;
  const high = Math.log10(maxMs) + 0.01;
  const bins = Math.max(1, Math.ceil((high - low) * LOG_BINS_PER_DECADE));
  return Array.from({ length: bins + 1 }, (_, i) => 10 ** (low + ((high - low) * i) / bins));
}

function binIndex(edges: number[], ms: number): number {
  let low = 0;
  let high = edges.length - 2;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (edges[mid] <= ms) low = mid;
    else high = mid - 1;
  }
  return low;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
