// The one-line status the plain view prints every few seconds when stdout is not a terminal
// (a pipe, a file, CI logs): no escape codes, fixed field order, easy to grep.
import type { Counters } from '../stats/counters';
import type { Percentiles } from '../stats/histogram';
import { formatClock, formatMs, formatRate } from './format';

export interface StatusLineInput {
  elapsedMs: number;
  durationMs?: number;
  exchangesPerSecond: number;
  openConnections: number;
  counters: Counters;
  /** Exchange durations of the period the line covers. */
  period: Percentiles;
}

/** `[MM:SS]` or `[MM:SS/MM:SS]` with --duration. */
export function clockTag(elapsedMs: number, durationMs?: number): string {
  return durationMs === undefined ? `[${formatClock(elapsedMs)}]` : `[${formatClock(elapsedMs)}/${formatClock(durationMs)}]`;
}

export function statusLine(input: StatusLineInput): string {
  const c = input.counters;
  const latency = input.period.count
    ? `p50 ${formatMs(input.period.p50Ms)}, p99 ${formatMs(input.period.p99Ms)}`
    : 'p50 -, p99 -';
  return [
    clockTag(input.elapsedMs, input.durationMs),
    `${formatRate(input.exchangesPerSecond)} req/s`,
    `${input.openConnections} open`,
    `faulted ${c.faulted}, passthrough ${c.passthrough}, errors ${c.errors}`,
    latency,
  ].join('  ');
}
