// The run's timeline: a progress bar and, under it, one lane per scheduled fault showing its
// active windows. Every row shares the same columns, so a window that starts at 40 % of the
// run starts under the 40 % point of the progress bar. Pure: rows in, strings out.
import type { ScheduleWindow } from '../config/types';
import { type Paint, type Style, padVisible, visibleWidth } from './ansi';

export interface TimelineLane {
  /** Shown left of the lane (may be styled). */
  label: string;
  windows: readonly ScheduleWindow[];
  style?: Style;
}

export interface TimelineInput {
  /** What the whole bar stands for, in ms from the start of the run. */
  spanMs: number;
  /** Where the run is now; undefined draws a plan (no progress, windows not split past/future). */
  elapsedMs?: number;
  progressLabel: string;
  /** Right of the progress bar, e.g. `00:12/00:30  40%`. */
  progressSuffix: string;
  lanes: readonly TimelineLane[];
}

export interface TimelineColumns {
  /** Left margin plus label column, in columns. */
  labelWidth: number;
  /** Total width available for a row. */
  width: number;
}

const LEFT_EDGE = '▕';
const RIGHT_EDGE = '▏';
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const MIN_CELLS = 8;

export function cellsFor(columns: TimelineColumns, suffixWidth: number): number {
  // label, space, edge, cells, edge, space, suffix
  return Math.max(MIN_CELLS, columns.width - columns.labelWidth - 1 - 2 - (suffixWidth ? 1 + suffixWidth : 0));
}

/** Progress row cells: whole blocks for the elapsed part, an eighth block for the partial cell. */
function progressCells(spanMs: number, elapsedMs: number, cells: number, paint: Paint): string {
  const exact = Math.min(1, Math.max(0, elapsedMs / spanMs)) * cells;
  const full = Math.floor(exact);
  const eighth = full < cells ? Math.floor((exact - full) * 8) : 0;
  const partial = EIGHTHS[eighth];
  const rest = cells - full - (partial ? 1 : 0);
  return paint('█'.repeat(full) + partial, 'green') + paint('░'.repeat(rest), 'dim');
}

/** True when a window covers any part of [from, to). */
function overlaps(window: ScheduleWindow, from: number, to: number): boolean {
  return window.startMs < to && (window.endMs === undefined || window.endMs > from);
}

/** Lane cells: `█` window (already lived), `▒` window to come, `·` fault off. */
function laneCells(input: TimelineInput, lane: TimelineLane, cells: number, paint: Paint): string {
  const kinds: Array<'off' | 'lived' | 'ahead'> = [];
  for (let i = 0; i < cells; i++) {
    // Multiply before dividing: cell edges land exactly on round fractions of the span.
    const from = (i * input.spanMs) / cells;
    const to = ((i + 1) * input.spanMs) / cells;
    if (!lane.windows.some((w) => overlaps(w, from, to))) kinds.push('off');
    else kinds.push(input.elapsedMs === undefined || to <= input.elapsedMs ? 'lived' : 'ahead');
  }
  // Paint runs of equal cells at once: one escape sequence per run, not per cell.
  let out = '';
  for (let i = 0; i < kinds.length; ) {
    let end = i;
    while (end < kinds.length && kinds[end] === kinds[i]) end++;
    const run = end - i;
    const style = lane.style ?? 'yellow';
    if (kinds[i] === 'off') out += paint('·'.repeat(run), 'dim');
    else if (kinds[i] === 'lived') out += paint('█'.repeat(run), style);
    else out += paint('▒'.repeat(run), style, 'dim');
    i = end;
  }
  return out;
}

export function renderTimeline(input: TimelineInput, columns: TimelineColumns, paint: Paint): string[] {
  const suffixWidth = visibleWidth(input.progressSuffix);
  const cells = cellsFor(columns, suffixWidth);
  const row = (label: string, body: string, suffix: string) =>
    `${padVisible(label, columns.labelWidth)} ${paint(LEFT_EDGE, 'dim')}${body}${paint(RIGHT_EDGE, 'dim')}${suffix ? ` ${suffix}` : ''}`;
  const lines: string[] = [];
  if (input.elapsedMs !== undefined) {
    lines.push(row(input.progressLabel, progressCells(input.spanMs, input.elapsedMs, cells, paint), input.progressSuffix));
  } else {
    lines.push(row(input.progressLabel, paint('─'.repeat(cells), 'dim'), input.progressSuffix));
  }
  for (const lane of input.lanes) lines.push(row(lane.label, laneCells(input, lane, cells, paint), ''));
  return lines;
}

/**
 * The span a timeline shows when the run has no --duration: a bit past the last schedule
 * change, or the elapsed time once the run goes beyond it.
 */
export function openEndedSpan(windows: readonly ScheduleWindow[], elapsedMs: number): number {
  let last = 0;
  for (const w of windows) last = Math.max(last, w.startMs, w.endMs ?? 0);
  return Math.max(last * 1.1, elapsedMs, 1000);
}
