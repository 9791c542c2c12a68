// The default view on a terminal: the prelude, then a frame redrawn in place below it (rates,
// latencies, faults, shards, progress and schedule), then the summary in its place.
import type { ActiveFault } from '../faults/registry';
import type { StatsAggregate, StatsSample } from '../stats/aggregate';
import { type Paint, paintFor } from './ansi';
import { hostPort } from './format';
import { renderLiveFrame } from './live-frame';
import { LiveModel } from './live-state';
import { preludeLines } from './prelude';
import type { RunStart, RunView } from './run-view';
import { type SummaryInput, summaryLines } from './summary';
import { layoutWidth } from './terminal-capabilities';
import { TerminalScreen } from './terminal-screen';

/** Redraws between statistics ticks keep the clock and progress bar moving smoothly. */
const REDRAW_MS = 250;
/** A window being dragged sends many resizes: lay out once it settles. */
const RESIZE_SETTLE_MS = 60;

export class LiveView implements RunView {
  private readonly paint: Paint;
  private readonly screen: TerminalScreen;
  private start?: RunStart;
  private model?: LiveModel;
  private redrawTimer?: NodeJS.Timeout;
  private resizeTimer?: NodeJS.Timeout;
  private readonly onResize = () => {
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => this.repaintAll(), RESIZE_SETTLE_MS);
  };

  constructor(
    private readonly out: NodeJS.WriteStream,
    err: NodeJS.WriteStream,
    colour: boolean,
  ) {
    this.paint = paintFor(colour);
    this.screen = new TerminalScreen(out, err.isTTY ? [err] : []);
  }

  started(start: RunStart): void {
    this.start = start;
    this.model = new LiveModel(start.config.faults, {
      durationMs: start.config.durationMs,
      shards: start.shards,
      seed: start.seed,
      usageHint: usageHint(start),
    });
    this.out.write(`${this.prelude().join('\n')}\n\n`);
    this.screen.begin();
    this.draw();
    this.redrawTimer = setInterval(() => this.draw(), REDRAW_MS);
    this.redrawTimer.unref();
    this.out.on('resize', this.onResize);
  }

  tick(sample: StatsSample, stats: StatsAggregate): void {
    this.model?.update(stats, sample.elapsedMs);
    this.draw();
  }

  exchanges(): void {}

  faultsChanged(active: readonly ActiveFault[]): void {
    this.model?.faultsChanged(active);
    this.draw();
  }

  stopping(reason: string): void {
    this.model?.stopping(reason);
    this.draw();
  }

  finished(summary: SummaryInput): void {
    clearInterval(this.redrawTimer);
    clearTimeout(this.resizeTimer);
    this.out.off('resize', this.onResize);
    // The summary takes the frame's place; the cursor comes back with the same write.
    this.screen.close(`${summaryLines(summary).join('\n')}\n`);
  }

  private frame(): string[] {
    if (!this.model || !this.start) return [];
    const state = this.model.at(Date.now() - this.start.startedAt);
    return renderLiveFrame(state, layoutWidth(this.out), { paint: this.paint, maxLines: this.screen.rows - 1 });
  }

  private prelude(): string[] {
    return this.start ? preludeLines(this.start, { paint: this.paint, width: layoutWidth(this.out) }) : [];
  }

  private draw(): void {
    this.screen.draw(this.frame());
  }

  private repaintAll(): void {
    this.screen.repaint([...this.prelude(), ''], this.frame());
  }
}

/** The shortest way to send a request through the proxy, shown until traffic arrives. */
function usageHint(start: RunStart): string | undefined {
  const proxy = start.plan.points.find((p) => p.role.kind === 'http-proxy');
  if (proxy) return `try: curl -x http://${hostPort(proxy.requested.host, proxy.port)} http://…`;
  const mapping = start.plan.points[0];
  return mapping ? `connect to ${hostPort(mapping.requested.host, mapping.port)}` : undefined;
}
