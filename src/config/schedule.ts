// `--X-sched` schedules: when a fault is active, relative to the start of the run.
//
//   schedule := window ( ";" window )*       empty windows are skipped
//   window   := pair ( "," pair )*           whitespace around parts is ignored
//   pair     := ("start" | "duration") ":" timespec
//   timespec := duration string (30s, 1m30s, 1.5s) | bare seconds (45) | N% of --duration
//
// Missing start = 0; missing duration = until the end of the run. Windows are returned sorted
// and with overlaps merged, so the fault timeline never sees a stop inside another window.
// `,` joins the two keys of ONE window and `;` separates windows; the original docs often
// wrote `start:30s;duration:3m`, which means two windows, so that pattern earns a warning.

import { formatDuration, parseDuration } from './duration';
import type { ScheduleWindow } from './types';
import { InvalidValueError } from './validate';

export interface ParsedSchedule {
  windows: ScheduleWindow[];
  /** Probable mistakes that are still valid input; the caller prints them. */
  warnings: string[];
}

interface RawWindow {
  text: string;
  start?: number;
  duration?: number;
}

/**
 * Parses a schedule. `runDurationMs` is the `--duration` value, needed for `N%` specs.
 * Error texts for bad specs follow the original tool.
 */
export function parseSchedule(text: string, runDurationMs?: number): ParsedSchedule {
  const rawWindows = text
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => parseWindow(part, runDurationMs));
  if (rawWindows.length === 0) {
    throw new InvalidValueError("Empty schedule. Example: 'start:10s,duration:30s;start:2m'.");
  }

  const warnings = [...splitWindowWarnings(rawWindows), ...lateWindowWarnings(rawWindows, runDurationMs)];
  const windows = mergeOverlapping(
    rawWindows.map((raw) => {
      const startMs = raw.start ?? 0;
      return raw.duration === undefined ? { startMs } : { startMs, endMs: startMs + raw.duration };
    }),
  );
  return { windows, warnings };
}

function parseWindow(text: string, runDurationMs: number | undefined): RawWindow {
  const window: RawWindow = { text };
  for (const pair of text.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const colon = pair.indexOf(':');
    if (colon < 0) {
      throw new InvalidValueError(`Invalid schedule part ('${pair}'): expected key:value, e.g. start:30s,duration:1m.`);
    }
    const key = pair.slice(0, colon).trim().toLowerCase();
    if (key !== 'start' && key !== 'duration') {
      throw new InvalidValueError(
        `Unknown key ('${pair.slice(0, colon).trim()}') used in schedule. Hint: Only \`start\` and \`duration\` are allowed.`,
      );
    }
    if (window[key] !== undefined) {
      throw new InvalidValueError(`Key '${key}' appears twice in the window '${text}'. Separate windows with ';'.`);
    }
    const ms = parseTimeSpec(pair.slice(colon + 1).trim(), runDurationMs);
    if (key === 'duration' && ms <= 0) {
      throw new InvalidValueError(`A window's duration must be greater than zero ('${pair}').`);
    }
    window[key] = ms;
  }
  return window;
}

/** One timespec in milliseconds. */
export function parseTimeSpec(spec: string, runDurationMs: number | undefined): number {
  if (spec.endsWith('%')) {
    const fractionText = spec.slice(0, -1).trim();
    const percent = /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(fractionText) ? Number(fractionText) : Number.NaN;
    if (!(percent >= 0 && percent <= 100)) {
      throw new InvalidValueError(`Invalid time fraction ('${spec}') in time spec.`);
    }
    if (runDurationMs === undefined) {
      throw new InvalidValueError(
        `Fraction-based time spec ('${spec}') used but no --duration provided. ` +
          'Hint: Please specify a duration (e.g., --duration=10s) when using fraction-based time specs.',
      );
    }
    return (runDurationMs * percent) / 100;
  }
  try {
    return parseDuration(spec);
  } catch {
    throw new InvalidValueError(`Time spec ('${spec}') could not be parsed. Use e.g. 30s, 1m30s, 45 or 10%.`);
  }
}

/** Warns about `start:X;duration:Y`, the docs' way of (wrongly) writing one window. */
function splitWindowWarnings(windows: readonly RawWindow[]): string[] {
  const warnings: string[] = [];
  for (let i = 0; i + 1 < windows.length; i++) {
    const current = windows[i];
    const next = windows[i + 1];
    const onlyStart = current.start !== undefined && current.duration === undefined;
    const onlyDuration = next.duration !== undefined && next.start === undefined;
    if (onlyStart && onlyDuration) {
      warnings.push(
        `'${current.text};${next.text}' is two windows (from ${formatDuration(current.start ?? 0)} to the end, ` +
          `and from 0 for ${formatDuration(next.duration ?? 0)}). ` +
          `For one window write '${current.text},${next.text}'.`,
      );
    }
  }
  return warnings;
}

function lateWindowWarnings(windows: readonly RawWindow[], runDurationMs: number | undefined): string[] {
  if (runDurationMs === undefined) return [];
  return windows
    .filter((window) => (window.start ?? 0) >= runDurationMs)
    .map(
      (window) =>
        `the window '${window.text}' starts after the run ends (--duration ${formatDuration(runDurationMs)}); it never applies.`,
    );
}

function mergeOverlapping(windows: readonly ScheduleWindow[]): ScheduleWindow[] {
  const sorted = [...windows].sort((a, b) => a.startMs - b.startMs);
  const merged: ScheduleWindow[] = [];
  for (const window of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && (last.endMs === undefined || window.startMs <= last.endMs)) {
      // Overlapping or touching: extend the previous window (undefined end = open-ended).
      if (window.endMs === undefined) delete last.endMs;
      else if (last.endMs !== undefined) last.endMs = Math.max(last.endMs, window.endMs);
    } else {
      merged.push({ ...window });
    }
  }
  return merged;
}
