// --tail: the prelude, then one line per finished exchange as shards ship them, schedule
// changes between them, and the summary. Plain lines only (colour on a terminal).
import type { ActiveFault } from '../faults/registry';
import type { ExchangeRecord } from '../stats/exchange-record';
import { type Paint, paintFor } from './ansi';
import { formatCount, formatTimeOfDay } from './format';
import { preludeLines } from './prelude';
import type { RunStart, RunView } from './run-view';
import { ScheduleChanges } from './schedule-changes';
import { type SummaryInput, summaryLines } from './summary';
import { tailLine } from './tail-line';
import { layoutWidth } from './terminal-capabilities';

/**
 * Where stdout writes are asynchronous (pipes on macOS, for one), output a slow reader has not
 * taken yet beyond which lines are counted instead of queued: memory must not grow without bound.
 */
const MAX_PENDING_BYTES = 1 << 20;

export class TailView implements RunView {
  private readonly paint: Paint;
  private changes?: ScheduleChanges;

  constructor(
    private readonly out: NodeJS.WriteStream,
    colour: boolean,
  ) {
    this.paint = paintFor(colour);
  }

  started(start: RunStart): void {
    this.changes = new ScheduleChanges(start.config.faults);
    this.print(preludeLines(start, { paint: this.paint, width: this.width() }));
  }

  tick(): void {}

  exchanges(records: readonly ExchangeRecord[], dropped: number): void {
    let notShown = dropped;
    const lines: string[] = [];
    if (this.out.writableLength > MAX_PENDING_BYTES) {
      notShown += records.length;
    } else {
      const width = this.out.isTTY ? this.width() : undefined;
      // A batch comes from one shard; show it in the order the exchanges finished.
      const ordered = [...records].sort((a, b) => a.startedAt + a.durationMs - (b.startedAt + b.durationMs));
      for (const record of ordered) lines.push(tailLine(record, { paint: this.paint, width }));
    }
    if (notShown > 0) lines.push(this.paint(`… ${formatCount(notShown)} exchange${notShown === 1 ? '' : 's'} not shown`, 'yellow'));
    if (lines.length) this.print(lines);
  }

  faultsChanged(active: readonly ActiveFault[]): void {
    const change = this.changes?.next(active);
    if (change) this.print([this.paint(`${formatTimeOfDay(Date.now())}  ── schedule: ${change}`, 'cyan')]);
  }

  stopping(reason: string): void {
    this.print([this.paint(`${formatTimeOfDay(Date.now())}  ── stopping (${reason}): letting open connections finish`, 'cyan')]);
  }

  finished(summary: SummaryInput): void {
    this.print(summaryLines(summary));
  }

  private width(): number {
    return this.out.isTTY ? layoutWidth(this.out) : 80;
  }

  private print(lines: string[]): void {
    this.out.write(`${lines.join('\n')}\n`);
  }
}
