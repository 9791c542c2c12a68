// Turns a merged HDR histogram (µs) into the cumulative buckets of a Prometheus histogram
// (seconds). Each HDR bucket is placed by its median value, so a bucket edge is exact to the
// HDR resolution (3 significant digits, 0.1%).
import { JsHistogram } from 'hdr-histogram-js';
import type { Histogram } from '../stats/histogram';

/** Upper bounds in seconds, from half a millisecond to a minute; +Inf is implied. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export interface CumulativeBuckets {
  /** Count of observations <= each bound, same order as the bounds. */
  counts: number[];
  /** Every observation (the +Inf bucket). */
  count: number;
  sumSeconds: number;
}

export function cumulativeBuckets(histogram: Histogram, boundsSeconds: readonly number[]): CumulativeBuckets {
  if (!(histogram instanceof JsHistogram)) {
    throw new TypeError('metrics need the JavaScript HDR histogram implementation (useWebAssembly: false)');
  }
  const perBound = new Array<number>(boundsSeconds.length).fill(0);
  const boundsUs = boundsSeconds.map((bound) => Math.round(bound * 1e6));
  let count = 0;
  let sumUs = 0;
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  while (iterator.hasNext()) {
    const step = iterator.next();
    const valueUs = histogram.medianEquivalentValue(step.valueIteratedTo);
    const n = step.countAtValueIteratedTo;
    count += n;
    sumUs += valueUs * n;
    const bucket = boundsUs.findIndex((bound) => valueUs <= bound);
    if (bucket >= 0) perBound[bucket] += n;
  }
  let running = 0;
  const counts = perBound.map((n) => (running += n));
  return { counts, count, sumSeconds: sumUs / 1e6 };
}
