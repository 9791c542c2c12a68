// What the terminal shows during a `fault run`. The engine tells the view what happens; the
// view decides how to show it: a live redrawn screen on a terminal, plain periodic lines
// otherwise, one line per exchange with --tail, nothing with --no-ui.
import type { RunConfig } from '../config/types';
import type { ListenPlan } from '../engine/listeners';
import type { ActiveFault } from '../faults/registry';
import type { StatsAggregate, StatsSample } from '../stats/aggregate';
import type { ExchangeRecord } from '../stats/exchange-record';
import { LiveView } from './live-view';
import { PlainView } from './plain-view';
import type { SummaryInput } from './summary';
import { TailView } from './tail-view';
import { canColour, canRedraw } from './terminal-capabilities';

export interface RunStart {
  config: RunConfig;
  plan: ListenPlan;
  shards: number;
  seed: number;
  /** Wall clock, ms since the epoch. */
  startedAt: number;
  /** Port the metrics server listens on, when it runs. */
  metricsPort?: number;
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
  /** The run is stopping (duration elapsed, a signal): open connections get time to finish. */
  stopping(reason: string): void;
  /** The run is over: the last word. */
  finished(summary: SummaryInput): void;
}

/** --no-ui: nothing on stdout. */
export class SilentView implements RunView {
  started(): void {}
  tick(): void {}
  exchanges(): void {}
  faultsChanged(): void {}
  stopping(): void {}
  finished(): void {}
}

export function createRunView(
  config: RunConfig,
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): RunView {
  if (config.noUi) return new SilentView();
  // Tail lines and redraws do not mix: --tail always prints plain lines.
  if (config.tail) return new TailView(out, canColour(out));
  if (canRedraw(out)) return new LiveView(out, err, canColour(out));
  return new PlainView(out);
}
