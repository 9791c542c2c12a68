// What the terminal shows during a `fault run`. The engine tells the view what happens; the
// view decides how to show it (live redrawn screen on a terminal, plain lines otherwise, one
// line per exchange with --tail, nothing with --no-ui).
import type { RunConfig } from '../config/types';
import type { ListenPlan } from '../engine/listeners';
import type { ActiveFault } from '../faults/registry';
import type { StatsAggregate, StatsSample } from '../stats/aggregate';
import type { ExchangeRecord } from '../stats/exchange-record';
import { printPrelude } from './prelude';
import { type SummaryInput, printSummary } from './summary';

export interface RunStart {
  config: RunConfig;
  plan: ListenPlan;
  shards: number;
  seed: number;
  /** Wall clock, ms since the epoch. */
  startedAt: number;
}

export interface RunView {
  /** The proxy listens: show where and how to use it. */
  started(start: RunStart): void;
  /** About once a second, with the merged statistics. */
  tick(sample: StatsSample, stats: StatsAggregate): void;
  /** Finished exchanges (only shipped by shards when the view or a report wants them). */
  exchanges(records: readonly ExchangeRecord[], dropped: number): void;
  /** The schedule changed the active faults. */
  faultsChanged(active: readonly ActiveFault[], elapsedMs: number): void;
  /** The run is over: the last word. */
  finished(summary: SummaryInput): void;
}

/** The prelude and the summary, nothing in between. */
export class BasicView implements RunView {
  started(start: RunStart): void {
    printPrelude(start.config, start.plan, start.shards, start.seed);
  }
  tick(): void {}
  exchanges(): void {}
  faultsChanged(): void {}
  finished(summary: SummaryInput): void {
    printSummary(summary);
  }
}

/** --no-ui: nothing on stdout. */
export class SilentView implements RunView {
  started(): void {}
  tick(): void {}
  exchanges(): void {}
  faultsChanged(): void {}
  finished(): void {}
}

export function createRunView(config: RunConfig): RunView {
  if (config.noUi) return new SilentView();
  return new BasicView();
}
