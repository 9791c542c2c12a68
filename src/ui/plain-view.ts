// The view when stdout is not a terminal (a pipe, a file, CI): the prelude, a status line
// every few seconds, a line per schedule change, the summary. Never an escape code.
import type { ActiveFault } from '../faults/registry';
import type { StatsAggregate, StatsSample } from '../stats/aggregate';
import { IntervalPercentiles } from './interval-percentiles';
import { preludeLines } from './prelude';
import type { RunStart, RunView } from './run-view';
import { ScheduleChanges } from './schedule-changes';
import { clockTag, statusLine } from './status-line';
import { type SummaryInput, summaryLines } from './summary';
import { type TrafficSnapshot, emptySnapshot, ratesBetween, snapshotOf } from './traffic-rates';

/** How often a status line is printed. */
export const STATUS_INTERVAL_MS = 5000;
/** Ticks come about once a second: print on the tick closest to each interval. */
const TICK_SLACK_MS = 500;

export class PlainView implements RunView {
  private start?: RunStart;
  private changes?: ScheduleChanges;
  private lastStatus: TrafficSnapshot = emptySnapshot();
  private readonly periodDurations = new IntervalPercentiles();

  constructor(private readonly out: NodeJS.WritableStream) {}

  started(start: RunStart): void {
    this.start = start;
    this.changes = new ScheduleChanges(start.config.faults);
    this.print(preludeLines(start));
  }

  tick(sample: StatsSample, stats: StatsAggregate): void {
    if (!this.start || sample.elapsedMs - this.lastStatus.elapsedMs < STATUS_INTERVAL_MS - TICK_SLACK_MS) return;
    const now = snapshotOf(stats, sample.elapsedMs);
    const rates = ratesBetween(this.lastStatus, now, this.start.shards);
    this.lastStatus = now;
    this.print([
      statusLine({
        elapsedMs: sample.elapsedMs,
        durationMs: this.start.config.durationMs,
        exchangesPerSecond: rates.exchangesPerSecond,
        openConnections: stats.openConnections,
        counters: now.counters,
        period: this.periodDurations.next(stats.exchangeDurations),
      }),
    ]);
  }

  exchanges(): void {}

  faultsChanged(active: readonly ActiveFault[], elapsedMs: number): void {
    const change = this.changes?.next(active);
    if (change) this.print([`${clockTag(elapsedMs, this.start?.config.durationMs)}  schedule: ${change}`]);
  }

  stopping(reason: string): void {
    const elapsed = this.start ? Date.now() - this.start.startedAt : 0;
    this.print([`${clockTag(elapsed, this.start?.config.durationMs)}  stopping (${reason}): letting open connections finish`]);
  }

  finished(summary: SummaryInput): void {
    this.print(summaryLines(summary));
  }

  private print(lines: string[]): void {
    this.out.write(`${lines.join('\n')}\n`);
  }
}
