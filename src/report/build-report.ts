// Assembles the report document of a finished run from what the engine gathered.
import { packageVersion } from '../cli/version';
import type { FaultCounts } from '../stats/counters';
import { digestExchanges } from './exchange-digest';
import { latencyDistributionOf } from './latency-distribution';
import { perSecondOf } from './per-second';
import { REPORT_SCHEMA, type FaultKindTotals, type RunReportDocument, type ShardTotalsReport } from './report-document';
import { faultsOf, listenersOf, upstreamFilterOf } from './run-description';
import type { RunReportInput } from './run-report';
import { timeSeriesOf } from './time-series';

export function buildReportDocument(input: RunReportInput): RunReportDocument {
  const { config, stats } = input;
  const c = stats.counters;
  const durationMs = Math.max(0, input.endedAt - input.startedAt);
  return {
    schema: REPORT_SCHEMA,
    generator: { name: 'fault', version: packageVersion() },
    run: {
      startedAt: new Date(input.startedAt).toISOString(),
      endedAt: new Date(input.endedAt).toISOString(),
      durationMs,
      requestedDurationMs: config.durationMs ?? null,
      stopReason: input.reason,
      shards: input.shards,
      seed: input.seed,
      listeners: listenersOf(config, input.plan),
      upstreams: upstreamFilterOf(config),
      faults: faultsOf(config),
    },
    totals: {
      exchanges: c.exchanges,
      faulted: c.faulted,
      passthrough: c.passthrough,
      errors: c.errors,
      exchangesPerSecond: durationMs > 0 ? (c.exchanges * 1000) / durationMs : 0,
      bytesToUpstream: c.bytesToUpstream,
      bytesToClient: c.bytesToClient,
      connectionsAccepted: c.connectionsAccepted,
      connectionsClosed: c.connectionsClosed,
      connectionsCutAtStop: input.cutConnections,
    },
    faults: faultKindTotals(config.faults.map((f) => f.spec.kind), stats.faultsApplied, stats.exchangesByFault),
    latency: {
      exchangeDurations: latencyDistributionOf(stats.exchangeDurations),
      injectedDelays: latencyDistributionOf(stats.injectedDelays),
    },
    shards: [...stats.perShard.entries()]
      .sort(([a], [b]) => a - b)
      .map(([shard, totals]): ShardTotalsReport => ({
        shard,
        exchanges: totals.counters.exchanges,
        faulted: totals.counters.faulted,
        passthrough: totals.counters.passthrough,
        errors: totals.counters.errors,
        bytesToUpstream: totals.counters.bytesToUpstream,
        bytesToClient: totals.counters.bytesToClient,
        connectionsAccepted: totals.counters.connectionsAccepted,
        faultsApplied: { ...totals.faultsApplied },
      })),
    timeSeries: timeSeriesOf(stats.samples),
    perSecond: input.droppedRecords === 0 ? perSecondOf(input.records, input.startedAt, input.endedAt) : null,
    exchanges: digestExchanges(input.records, input.droppedRecords),
  };
}

/** Configured kinds first (in order, even if they never acted), then any other kind that acted. */
function faultKindTotals(configured: string[], applied: FaultCounts, affected: FaultCounts): FaultKindTotals[] {
  const kinds = [...new Set([...configured, ...Object.keys(applied), ...Object.keys(affected)])];
  const count = (counts: FaultCounts, kind: string) => (counts as Record<string, number | undefined>)[kind] ?? 0;
  return kinds.map((kind) => ({ kind, applications: count(applied, kind), exchangesAffected: count(affected, kind) }));
}
