// Reads the numbers out of wrk 4.x's text report (run with --latency).

export interface WrkResult {
  requests: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
  /** Connect, read, write and timeout errors, summed. */
  socketErrors: number;
  /** Responses with a status outside 2xx/3xx (e.g. a proxy's 502). */
  non2xxResponses: number;
}

const TIME_UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export class WrkOutputError extends Error {}

export function parseWrkOutput(text: string): WrkResult {
  const totals = match(text, /(\d+) requests in ([\d.]+)(us|ms|s|m|h),/, 'request total');
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  return {
    requests: Number(totals[1]),
    durationSeconds: toMs(totals[2], totals[3]) / 1000,
    requestsPerSecond: Number(match(text, /Requests\/sec:\s+([\d.]+)/, 'Requests/sec')[1]),
    latencyMs: {
      p50: percentile(text, 50),
      p75: percentile(text, 75),
      p90: percentile(text, 90),
      p99: percentile(text, 99),
    },
    socketErrors: socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    non2xxResponses: Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0),
  };
}

/** A line of the "Latency Distribution" block, e.g. "     99%    3.50ms". */
function percentile(text: string, percent: number): number {
  const line = match(text, new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s|m|h)\\s*$`, 'm'), `${percent}% latency`);
  return toMs(line[1], line[2]);
}

/** Rounded to whole microseconds, wrk's own resolution, so 689.00us is 0.689 and not 0.68900000001. */
function toMs(value: string, unit: string): number {
  return Math.round(Number(value) * TIME_UNIT_MS[unit] * 1000) / 1000;
}

function match(text: string, pattern: RegExp, what: string): RegExpExecArray {
  const found = pattern.exec(text);
  if (!found) throw new WrkOutputError(`wrk output has no ${what}:\n${text}`);
  return found;
}
