// One `--tail` line per finished exchange:
//   14:03:07.412  GET http://127.0.0.1:8080/users  200  301 ms  ↑81 B ↓1.2 KB  latency
// time it started, what it was, status (`-` for tunnels, TCP connections and failures before a
// status), duration, bytes to the upstream ↑ and to the client ↓, faults, and the error if any.
import type { ExchangeRecord } from '../stats/exchange-record';
import { type Paint, type Style, noColour, visibleWidth } from './ansi';
import { formatBytes, formatMs, formatTimeOfDay } from './format';

export interface TailLineOptions {
  paint?: Paint;
  /** When set (a terminal), a long target is shortened in the middle to keep the line within it. */
  width?: number;
}

const MIN_TARGET = 24;

function statusStyle(status: number): Style {
  if (status >= 500) return 'red';
  if (status >= 400) return 'yellow';
  if (status >= 300) return 'cyan';
  return 'green';
}

/** `latency+bandwidth`, `no fault` or `passthrough`. */
export function faultsLabel(record: ExchangeRecord): string {
  if (record.passthrough) return 'passthrough';
  return record.faults.length ? record.faults.join('+') : 'no fault';
}

function shortenMiddle(text: string, length: number): string {
  if (text.length <= length) return text;
  const head = Math.ceil((length - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (length - 1 - head))}`;
}

export function tailLine(record: ExchangeRecord, options: TailLineOptions = {}): string {
  const paint = options.paint ?? noColour;
  const status = record.status ? paint(String(record.status), statusStyle(record.status)) : paint('-', 'dim');
  const faults = faultsLabel(record);
  const build = (target: string) =>
    [
      paint(formatTimeOfDay(record.startedAt), 'dim'),
      `${paint(record.method, 'bold')} ${target}`,
      status,
      formatMs(record.durationMs),
      `↑${formatBytes(record.bytesToUpstream)} ↓${formatBytes(record.bytesToClient)}`,
      record.faults.length && !record.passthrough ? paint(faults, 'magenta') : paint(faults, 'dim'),
      ...(record.error !== undefined ? [paint(`error: ${record.error}`, 'red')] : []),
    ].join('  ');
  const line = build(record.target);
  if (options.width === undefined) return line;
  const overflow = visibleWidth(line) - options.width;
  if (overflow <= 0) return line;
  return build(shortenMiddle(record.target, Math.max(MIN_TARGET, record.target.length - overflow)));
}
