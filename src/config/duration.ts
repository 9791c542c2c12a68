// Human-readable durations, e.g. `500ms`, `30s`, `1h30m`, `1.5h`, `2 minutes`, `1e3ms`, bare `45`.
//
// Grammar: one or more `<number><unit>` parts, optionally separated by whitespace; the parts
// are summed (so `1h 1h` is two hours). A lone number without a unit means seconds. Units are
// case-insensitive. Unlike the original (which ignored any stray punctuation), anything that is
// not a number, a known unit or whitespace is an error, so typos never silently shorten a run.

import { InvalidValueError } from './validate';

const MS_PER_UNIT: ReadonlyMap<string, number> = buildUnitTable();

function buildUnitTable(): Map<string, number> {
  const second = 1000;
  const groups: Array<[number, string[]]> = [
    [1e-6, ['ns', 'nsec', 'nanosecond', 'nanoseconds']],
    [1e-3, ['us', 'µs', 'μs', 'usec', 'microsecond', 'microseconds']],
    [1, ['ms', 'msec', 'millisecond', 'milliseconds']],
    [second, ['s', 'sec', 'secs', 'second', 'seconds']],
    [60 * second, ['m', 'min', 'mins', 'minute', 'minutes']],
    [3600 * second, ['h', 'hr', 'hrs', 'hour', 'hours']],
    [86400 * second, ['d', 'day', 'days']],
    [7 * 86400 * second, ['w', 'week', 'weeks']],
  ];
  const table = new Map<string, number>();
  for (const [ms, names] of groups) for (const name of names) table.set(name, ms);
  return table;
}

const NUMBER = String.raw`(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?`;
const BARE_NUMBER = new RegExp(`^${NUMBER}$`, 'i');
// A part is a number, optional spaces, then a unit made of letters (including µ/μ).
const PART = new RegExp(`(${NUMBER})\\s*([a-zµμ]+)\\s*`, 'iy');

const EXAMPLES = 'e.g. 500ms, 30s, 5m, 1h30m, 1.5h or a bare number of seconds';

/** Parses a duration and returns milliseconds (possibly fractional, never negative). */
export function parseDuration(text: string): number {
  const input = text.trim();
  if (input === '') throw new InvalidValueError(`Empty duration (${EXAMPLES}).`);
  if (input.startsWith('-')) throw new InvalidValueError(`Duration '${text}' must not be negative.`);

  if (BARE_NUMBER.test(input)) return checkedTotal(Number(input) * 1000, text);

  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (match === null) {
      throw new InvalidValueError(
        `Invalid duration '${text}': cannot read '${input.slice(start)}' (${EXAMPLES}).`,
      );
    }
    const unit = match[2].toLowerCase();
    const msPerUnit = MS_PER_UNIT.get(unit);
    if (msPerUnit === undefined) {
      throw new InvalidValueError(`Invalid duration '${text}': unknown unit '${match[2]}' (${EXAMPLES}).`);
    }
    totalMs += Number(match[1]) * msPerUnit;
  }
  return checkedTotal(totalMs, text);
}

function checkedTotal(ms: number, text: string): number {
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) {
    throw new InvalidValueError(`Duration '${text}' is too large.`);
  }
  return ms;
}

/** Formats milliseconds compactly for messages and the prelude, e.g. `1h30m`, `2.5s`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${roundTo(ms, 3)}ms`;
  const units: Array<[string, number]> = [['h', 3600_000], ['m', 60_000]];
  let rest = ms;
  let text = '';
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${name}`;
      rest -= count * size;
    }
  }
  if (rest > 0 || text === '') text += `${roundTo(rest / 1000, 3)}s`;
  return text;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/**
 * A fault time: a bare number of MILLISECONDS (`250`, unlike --duration where a bare number is
 * seconds) or a duration string (`250ms`, `2s`, `1m`). Never negative.
 */
export function parseFaultTime(text: string): number {
  const trimmed = text.trim();
  if (/^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  try {
    return parseDuration(trimmed);
  } catch (error) {
    if (!(error instanceof InvalidValueError)) throw error;
    throw new InvalidValueError(`Invalid time '${text}': give milliseconds (e.g. 250) or a duration (e.g. 250ms, 2s).`);
  }
}
