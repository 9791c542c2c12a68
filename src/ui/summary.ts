// The summary printed when a run ends, from the statistics merged across shards.
import type { StatsAggregate } from '../stats/aggregate';
import { type Percentiles, percentilesOf } from '../stats/histogram';
import { formatBytes, formatDuration, formatMs } from './format';

export interface SummaryInput {
  stats: StatsAggregate;
  reason: string;
  elapsedMs: number;
  shards: number;
  cutConnections: number;
}

function percentileLine(p: Percentiles): string {
  if (p.count === 0) return 'none';
  return [
    `p50 ${formatMs(p.p50Ms)}`,
    `p90 ${formatMs(p.p90Ms)}`,
    `p99 ${formatMs(p.p99Ms)}`,
    `p99.9 ${formatMs(p.p999Ms)}`,
    `max ${formatMs(p.maxMs)}`,
    `(n=${p.count})`,
  ].join('  ');
}

export function summaryLines(input: SummaryInput): string[] {
  const { stats } = input;
  const c = stats.counters;
  const faults = Object.entries(stats.faultsApplied)
    .map(([kind, n]) => `${kind} ×${n}`)
    .join(', ');
  const shards = [...stats.perShard.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, s]) => `#${id}: ${s.counters.connectionsAccepted} connections, ${s.counters.exchanges} exchanges`)
    .join(' | ');
  return [
    '',
    `Stopped (${input.reason}) after ${formatDuration(input.elapsedMs)}.`,
    '',
    `  Exchanges     ${c.exchanges} (faulted ${c.faulted}, passthrough ${c.passthrough}, errors ${c.errors})`,
    `  Connections   ${c.connectionsAccepted} accepted${input.cutConnections ? `, ${input.cutConnections} cut at stop` : ''}`,
    `  Bytes         ${formatBytes(c.bytesToUpstream)} to upstreams, ${formatBytes(c.bytesToClient)} to clients`,
    `  Faults        ${faults || 'none applied'}`,
    `  Durations     ${percentileLine(percentilesOf(stats.exchangeDurations))}`,
    `  Injected      ${percentileLine(percentilesOf(stats.injectedDelays))}`,
    `  Shards        ${shards || 'no traffic'}`,
  ];
}

export function printSummary(input: SummaryInput): void {
  process.stdout.write(`${summaryLines(input).join('\n')}\n`);
}
