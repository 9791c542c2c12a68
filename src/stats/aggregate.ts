// The engine's view: every shard's deltas merged into run totals, plus per-shard totals.
import { type Counters, type FaultCounts, addCounters, addFaultCounts, zeroCounters } from './counters';
import { type Histogram, createHistogram, decodeHistogram } from './histogram';
import type { StatsDelta } from './shard-stats';

export interface ShardTotals {
  counters: Counters;
  faultsApplied: FaultCounts;
}

export class StatsAggregate {
  readonly counters: Counters = zeroCounters();
  readonly faultsApplied: FaultCounts = {};
  readonly exchangeDurations: Histogram = createHistogram();
  readonly injectedDelays: Histogram = createHistogram();
  readonly perShard = new Map<number, ShardTotals>();

  merge(delta: StatsDelta): void {
    addCounters(this.counters, delta.counters);
    addFaultCounts(this.faultsApplied, delta.faultsApplied);
    this.exchangeDurations.add(decodeHistogram(delta.exchangeDurations));
    this.injectedDelays.add(decodeHistogram(delta.injectedDelays));
    let shard = this.perShard.get(delta.shardId);
    if (!shard) {
      shard = { counters: zeroCounters(), faultsApplied: {} };
      this.perShard.set(delta.shardId, shard);
    }
    addCounters(shard.counters, delta.counters);
    addFaultCounts(shard.faultsApplied, delta.faultsApplied);
  }

  get openConnections(): number {
    return this.counters.connectionsAccepted - this.counters.connectionsClosed;
  }
}
