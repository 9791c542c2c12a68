// The counters and gauges a run exposes, defined once: the Prometheus endpoint and the
// OpenTelemetry meter both read this list, so their names, meanings and values agree.
import type { StatsAggregate } from '../stats/aggregate';
import type { RequestTally } from './request-tally';

export type ScalarKind = 'counter' | 'gauge';

export interface Series {
  labels: Record<string, string>;
  value: number;
}

export interface ScalarMetric {
  /** Prometheus name; counters end in `_total`. */
  prometheusName: string;
  /** OpenTelemetry instrument name. */
  otelName: string;
  /** UCUM unit for OpenTelemetry ('1' when it is a plain count). */
  unit: string;
  kind: ScalarKind;
  help: string;
  series: Series[];
}

export interface RunMetricSources {
  stats: StatsAggregate;
  requests: RequestTally;
  shards: number;
}

function byFaultKind(counts: Partial<Record<string, number>>): Series[] {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([fault, value]) => ({ labels: { fault }, value: value ?? 0 }));
}

/** A snapshot of every counter and gauge, as of the last statistics merge. */
export function collectRunMetrics({ stats, requests, shards }: RunMetricSources): ScalarMetric[] {
  const c = stats.counters;
  return [
    {
      prometheusName: 'fault_requests_total',
      otelName: 'fault.requests',
      unit: '{request}',
      kind: 'counter',
      help:
        'Finished exchanges (HTTP requests, CONNECT tunnels, TCP connections), each counted once: fault is the set of ' +
        "fault kinds that acted on it ('none', or kinds joined with '+'), passthrough whether it bypassed the faults.",
      series: requests.all().map((s) => ({
        labels: { fault: s.fault, passthrough: String(s.passthrough) },
        value: s.count,
      })),
    },
    {
      prometheusName: 'fault_requests_by_fault_total',
      otelName: 'fault.requests.by_fault',
      unit: '{request}',
      kind: 'counter',
      help: 'Finished exchanges on which a fault kind acted; an exchange hit by two kinds counts under both.',
      series: byFaultKind(stats.exchangesByFault),
    },
    {
      prometheusName: 'fault_applications_total',
      otelName: 'fault.applications',
      unit: '{application}',
      kind: 'counter',
      help: 'Times a fault acted (every delayed chunk, dropped packet, injected response...), by kind.',
      series: byFaultKind(stats.faultsApplied),
    },
    {
      prometheusName: 'fault_connections_accepted_total',
      otelName: 'fault.connections.accepted',
      unit: '{connection}',
      kind: 'counter',
      help: 'Client connections accepted on any listener.',
      series: [{ labels: {}, value: c.connectionsAccepted }],
    },
    {
      prometheusName: 'fault_connections_open',
      otelName: 'fault.connections.open',
      unit: '{connection}',
      kind: 'gauge',
      help: 'Client connections open now.',
      series: [{ labels: {}, value: stats.openConnections }],
    },
    {
      prometheusName: 'fault_bytes_total',
      otelName: 'fault.bytes',
      unit: 'By',
      kind: 'counter',
      help: 'Bytes relayed, by direction: to_upstream (client to server) or to_client (server to client).',
      series: [
        { labels: { direction: 'to_upstream' }, value: c.bytesToUpstream },
        { labels: { direction: 'to_client' }, value: c.bytesToClient },
      ],
    },
    {
      prometheusName: 'fault_errors_total',
      otelName: 'fault.errors',
      unit: '{error}',
      kind: 'counter',
      help: 'Exchanges that failed (upstream unreachable, reset, timeout...) and malformed client requests.',
      series: [{ labels: {}, value: c.errors }],
    },
    {
      prometheusName: 'fault_exchange_records_dropped_total',
      otelName: 'fault.exchange_records.dropped',
      unit: '{record}',
      kind: 'counter',
      help: 'Exchange records shards could not ship (buffer full); those exchanges are missing from fault_requests_total.',
      series: [{ labels: {}, value: requests.droppedRecords }],
    },
    {
      prometheusName: 'fault_shard_exchanges_total',
      otelName: 'fault.shard.exchanges',
      unit: '{exchange}',
      kind: 'counter',
      help: 'Exchanges each shard has taken on (counted when they start), to see how the kernel spreads connections.',
      series: [...stats.perShard.entries()]
        .sort(([a], [b]) => a - b)
        .map(([shard, totals]) => ({ labels: { shard: String(shard) }, value: totals.counters.exchanges })),
    },
    {
      prometheusName: 'fault_shards',
      otelName: 'fault.shards',
      unit: '{shard}',
      kind: 'gauge',
      help: 'Proxy worker threads (shards) serving the listeners.',
      series: [{ labels: {}, value: shards }],
    },
  ];
}
