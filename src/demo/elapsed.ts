import { performance } from 'node:perf_hooks';

/** A start mark for measuring how long something took. */
export function startTimer(): () => number {
  const startedAt = performance.now();
  return () => performance.now() - startedAt;
}

/** Milliseconds as the demo prints them: a float string with microsecond resolution, e.g. "12.345". */
export function formatMilliseconds(milliseconds: number): string {
  return milliseconds.toFixed(3);
}
