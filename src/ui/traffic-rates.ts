// Per-second rates from two moments of the merged statistics. Shards report about once a
// second on their own clocks, so a rate over one tick jumps between 0 and double; the views
// rate over a few seconds instead.
import type { Counters } from '../stats/counters';
import type { StatsAggregate } from '../stats/aggregate';

/** Cumulative numbers at one moment of the run. */
export interface TrafficSnapshot {
  elapsedMs: number;
  counters: Counters;
  /** Exchanges and open connections per shard id. */
  perShard: ReadonlyMap<number, { exchanges: number; open: number }>;
}

export interface ShardLoad {
  id: number;
  exchangesPerSecond: number;
  open: number;
}

export interface TrafficRates {
  exchangesPerSecond: number;
  connectionsPerSecond: number;
  shards: ShardLoad[];
}

export function snapshotOf(stats: StatsAggregate, elapsedMs: number): TrafficSnapshot {
  const perShard = new Map<number, { exchanges: number; open: number }>();
  for (const [id, totals] of stats.perShard) {
    const c = totals.counters;
    perShard.set(id, { exchanges: c.exchanges, open: c.connectionsAccepted - c.connectionsClosed });
  }
  return { elapsedMs, counters: { ...stats.counters }, perShard };
}

export function emptySnapshot(): TrafficSnapshot {
  return { elapsedMs: 0, counters: { ...ZERO }, perShard: new Map() };
}

const ZERO: Counters = {
  connectionsAccepted: 0,
  connectionsClosed: 0,
  exchanges: 0,
  faulted: 0,
  passthrough: 0,
  errors: 0,
  bytesToUpstream: 0,
  bytesToClient: 0,
};

/** Rates between two snapshots; every shard of `shardCount` gets a row, traffic or not. */
export function ratesBetween(older: TrafficSnapshot, newer: TrafficSnapshot, shardCount: number): TrafficRates {
  const seconds = Math.max(0.001, (newer.elapsedMs - older.elapsedMs) / 1000);
  const ids = new Set<number>([...newer.perShard.keys()]);
  for (let id = 0; id < shardCount; id++) ids.add(id);
  const shards = [...ids]
    .sort((a, b) => a - b)
    .map((id) => {
      const now = newer.perShard.get(id) ?? { exchanges: 0, open: 0 };
      const before = older.perShard.get(id)?.exchanges ?? 0;
      return { id, exchangesPerSecond: Math.max(0, now.exchanges - before) / seconds, open: now.open };
    });
  return {
    exchangesPerSecond: Math.max(0, newer.counters.exchanges - older.counters.exchanges) / seconds,
    connectionsPerSecond: Math.max(0, newer.counters.connectionsAccepted - older.counters.connectionsAccepted) / seconds,
    shards,
  };
}
