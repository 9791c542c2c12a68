// Words and numbers shared by the Markdown and HTML reports, so both read the same.
import { formatBytes, formatDuration, formatMs } from '../ui/format';
import type { ListenerInfo, RunReportDocument, ScheduleWindowReport, UpstreamFilter } from './report-document';

export { formatBytes, formatDuration, formatMs };

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toFixed(perSecond >= 10 ? 1 : 2);
}

/** `part` as a share of `whole`; `–` when there is no whole. */
export function formatShare(part: number, whole: number): string {
  if (whole === 0) return '–';
  const percent = (part * 100) / whole;
  return `${percent >= 10 || percent === 0 ? percent.toFixed(0) : percent.toFixed(1)} %`;
}

/** A latency cell: `–` when nothing was measured. */
export function formatLatency(ms: number | null, count = 1): string {
  return ms === null || count === 0 ? '–' : formatMs(ms);
}

/** `2024-05-01 12:00:03 UTC` (or `…:03.250 UTC`): exact, and the same on every machine. */
export function formatTimestamp(iso: string, withMilliseconds = false): string {
  const text = iso.replace('T', ' ').replace(/Z$/, '');
  return `${withMilliseconds ? text : text.replace(/\.\d+$/, '')} UTC`;
}

export function formatWindows(windows: readonly ScheduleWindowReport[]): string {
  if (windows.length === 0) return 'whole run';
  return windows
    .map((w) => `${formatDuration(w.startMs)} → ${w.endMs === null ? 'end' : formatDuration(w.endMs)}`)
    .join(', ');
}

export function describeListener(listener: ListenerInfo): string {
  switch (listener.kind) {
    case 'http-proxy':
      return `HTTP proxy on http://${listener.address} (forward and CONNECT)`;
    case 'http-service':
      return `HTTP service ${listener.address} => ${listener.remote}${listener.remoteTls ? ' (TLS)' : ''}`;
    case 'tcp-mapping':
      return `TCP mapping ${listener.address} => ${listener.remote}${listener.remoteTls ? ' (TLS)' : ''}`;
  }
}

export function describeUpstreams(filter: UpstreamFilter): string {
  switch (filter.mode) {
    case 'none':
      return 'none given: every exchange was relayed untouched (passthrough)';
    case 'all':
      return 'all hosts (*)';
    case 'listed':
      return filter.entries.join(', ');
  }
}

export function statusLabel(status: number): string {
  return status === 0 ? 'none (tunnel, TCP or failed before a status)' : String(status);
}

/** The one-line verdict at the top of both reports. */
export function headline(document: RunReportDocument): string {
  const t = document.totals;
  const d = document.latency.exchangeDurations;
  const parts = [
    `${formatCount(t.exchanges)} exchanges in ${formatDuration(document.run.durationMs)} (${formatRate(t.exchangesPerSecond)}/s)`,
    `${formatCount(t.faulted)} faulted`,
    `${formatCount(t.errors)} errors`,
  ];
  if (d.count > 0) parts.push(`p50 ${formatMs(d.p50Ms)}, p99 ${formatMs(d.p99Ms)}`);
  return parts.join(' · ');
}

/** Percentile rows shared by both reports: label, then the field of a latency summary. */
export const PERCENTILE_COLUMNS = [
  ['min', 'minMs'],
  ['p50', 'p50Ms'],
  ['p90', 'p90Ms'],
  ['p99', 'p99Ms'],
  ['p99.9', 'p999Ms'],
  ['max', 'maxMs'],
  ['mean', 'meanMs'],
] as const;

export const RECORDS_NOTE =
  'Status codes, errors, protocols and the slowest exchanges come from the per-exchange records';
