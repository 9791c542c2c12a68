// Percentiles of what a cumulative histogram recorded since the previous call: the run's
// histograms only grow, and a periodic status line should describe its own period.
import { type Histogram, type Percentiles, createHistogram, percentilesOf } from '../stats/histogram';

export class IntervalPercentiles {
  private readonly seen: Histogram = createHistogram();

  /** Percentiles of the values added to `cumulative` since the last call. */
  next(cumulative: Histogram): Percentiles {
    const interval = createHistogram();
    interval.add(cumulative);
    interval.subtract(this.seen);
    this.seen.reset();
    this.seen.add(cumulative);
    return percentilesOf(interval);
  }
}
