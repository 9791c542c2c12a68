// One frame of the live view, as lines no wider than the terminal. A pure function of the
// state, the width and the paint, so it can be tested without a terminal.
import type { Percentiles } from '../stats/histogram';
import { type Paint, type Style, fitWidth, noColour, visibleWidth } from './ansi';
import { formatClock, formatCount, formatMs, formatRate } from './format';
import type { FaultActivity, LiveState } from './live-state';
import { flowRow } from './row-layout';
import type { ShardLoad } from './traffic-rates';
import { type TimelineLane, openEndedSpan, renderTimeline } from './timeline';

export interface FrameOptions {
  paint?: Paint;
  /** Most lines the frame may take (the terminal's height); the bottom rows go first. */
  maxLines?: number;
}

const ROW_LABELS = ['progress', 'traffic', 'exchanges', 'latency', 'injected', 'faults', 'shards'];
const MAX_LABEL = 16;
const LANE_STYLES: Style[] = ['yellow', 'magenta', 'cyan', 'blue'];
const SHARD_BAR_CELLS = 6;

export function renderLiveFrame(state: LiveState, width: number, options: FrameOptions = {}): string[] {
  const paint = options.paint ?? noColour;
  const lanes = scheduledLanes(state.faults, paint);
  const labelWidth = 1 + Math.min(MAX_LABEL, Math.max(...ROW_LABELS.map((l) => l.length), ...lanes.map((l) => visibleWidth(l.label) - 1)));
  const row = (label: string, items: string[], maxLines = 1) =>
    flowRow(` ${paint(label, 'bold')}`, items, { labelWidth, width, maxLines });

  const lines = [header(state, paint)];
  lines.push(...timeline(state, lanes, labelWidth, width, paint));
  lines.push(...row('traffic', trafficItems(state, paint), 2));
  lines.push(...row('exchanges', exchangeItems(state, paint), 2));
  lines.push(...row('latency', percentileItems(state.endToEnd), 2));
  lines.push(...row('injected', percentileItems(state.injected), 2));
  lines.push(...row('faults', faultItems(state.faults, paint), 2));
  lines.push(...row('shards', shardItems(state.shardLoad, paint), 3));
  const fitted = lines.map((line) => fitWidth(line, width));
  return options.maxLines === undefined ? fitted : fitted.slice(0, Math.max(1, options.maxLines));
}

function header(state: LiveState, paint: Paint): string {
  const clock = state.durationMs === undefined
    ? `${formatClock(state.elapsedMs)} elapsed`
    : `${formatClock(Math.min(state.elapsedMs, state.durationMs))} / ${formatClock(state.durationMs)}`;
  const phase = state.stopping
    ? paint(`■ stopping (${state.stopping}), draining`, 'yellow')
    : paint('● running', 'green');
  const shards = `${state.shards} shard${state.shards === 1 ? '' : 's'}`;
  return ` ${paint('fault', 'bold')}  ${phase}  ${clock}  ${paint(`${shards} · seed ${state.seed}`, 'dim')}`;
}

function scheduledLanes(faults: readonly FaultActivity[], paint: Paint): TimelineLane[] {
  return faults
    .filter((f) => f.windows.length > 0)
    .map((f, i) => {
      const style = LANE_STYLES[i % LANE_STYLES.length];
      return { label: ` ${f.active ? paint('●', style) : paint('○', 'dim')} ${f.kind}`, windows: f.windows, style };
    });
}

function timeline(state: LiveState, lanes: TimelineLane[], labelWidth: number, width: number, paint: Paint): string[] {
  if (state.durationMs === undefined && lanes.length === 0) return [];
  const spanMs = state.durationMs ?? openEndedSpan(lanes.flatMap((l) => l.windows), state.elapsedMs);
  const elapsed = Math.min(state.elapsedMs, spanMs);
  const suffix = state.durationMs === undefined
    ? formatClock(state.elapsedMs)
    : `${formatClock(elapsed)}/${formatClock(state.durationMs)} ${String(Math.floor((elapsed / spanMs) * 100)).padStart(3)}%`;
  const label = state.durationMs === undefined ? 'schedule' : 'progress';
  return renderTimeline(
    { spanMs, elapsedMs: elapsed, progressLabel: ` ${paint(label, 'bold')}`, progressSuffix: suffix, lanes },
    { labelWidth, width },
    paint,
  );
}

function trafficItems(state: LiveState, paint: Paint): string[] {
  if (state.counters.exchanges === 0 && state.openConnections === 0) {
    const waiting = paint('waiting for traffic', 'dim');
    return state.usageHint ? [waiting, paint(state.usageHint, 'dim')] : [waiting];
  }
  return [
    `${paint(formatRate(state.exchangesPerSecond), 'bold')} req/s`,
    `${formatRate(state.connectionsPerSecond)} conn/s`,
    `${formatCount(state.openConnections)} open`,
  ];
}

function exchangeItems(state: LiveState, paint: Paint): string[] {
  const c = state.counters;
  return [
    `${formatCount(c.exchanges)} total`,
    paint(`faulted ${formatCount(c.faulted)}`, c.faulted ? 'yellow' : 'dim'),
    `passthrough ${formatCount(c.passthrough)}`,
    paint(`errors ${formatCount(c.errors)}`, c.errors ? 'red' : 'dim'),
  ];
}

function percentileItems(p: Percentiles): string[] {
  if (p.count === 0) return ['none yet'];
  return [
    `p50 ${formatMs(p.p50Ms)}`,
    `p90 ${formatMs(p.p90Ms)}`,
    `p99 ${formatMs(p.p99Ms)}`,
    `p99.9 ${formatMs(p.p999Ms)}`,
    `max ${formatMs(p.maxMs)}`,
    `n=${formatCount(p.count)}`,
  ];
}

function faultItems(faults: readonly FaultActivity[], paint: Paint): string[] {
  if (faults.length === 0) return [paint('none configured: traffic is relayed untouched', 'dim')];
  return faults.map((f) => {
    const marker = f.active ? paint('●', 'yellow') : paint('○', 'dim');
    // A per-chunk fault acts many times per exchange: show both numbers when they differ.
    const times = f.applications !== f.exchanges ? ` (${formatCount(f.applications)}×)` : '';
    return `${marker} ${f.kind} ${formatCount(f.exchanges)} exch${times}`;
  });
}

function shardItems(shards: readonly ShardLoad[], paint: Paint): string[] {
  const busiest = Math.max(0, ...shards.map((s) => s.exchangesPerSecond));
  return shards.map((s) => {
    const filled = busiest > 0 ? Math.round((s.exchangesPerSecond / busiest) * SHARD_BAR_CELLS) : 0;
    const bar = paint('█'.repeat(filled), 'cyan') + paint('░'.repeat(SHARD_BAR_CELLS - filled), 'dim');
    return `#${s.id} ${bar} ${formatRate(s.exchangesPerSecond)}/s ${s.open} open`;
  });
}
