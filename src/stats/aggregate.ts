// The engine's view: every shard's deltas merged into run totals, plus per-shard totals.
import { type Counters, type FaultCounts, addCounters, addFaultCounts, zeroCounters } from './counters';
import { type Histogram, createHistogram, decodeHistogram } from './histogram';
import type { StatsDelta } from './shard-stats';

export interface ShardTotals {
  counters: Counters;
  faultsApplied: FaultCounts;
}

/** The run as seen at one moment (about once a second), for live views, reports and plots. */
export interface StatsSample {
  elapsedMs: number;
  /** Totals since the start of the run. */
  counters: Counters;
  /** Exchanges finished since the previous sample, and their latency percentiles (ms). */
  intervalExchanges: number;
  intervalP50Ms: number;
  intervalP99Ms: number;
  openConnections: number;
  /** Exchanges handled per shard since the previous sample. */
  intervalExchangesPerShard: Record<number, number>;
}

export class StatsAggregate {
  readonly counters: Counters = zeroCounters();
  readonly faultsApplied: FaultCounts = {};
  readonly exchangeDurations: Histogram = createHistogram();
  readonly injectedDelays: Histogram = createHistogram();
  readonly exchangesByFault: FaultCounts = {};
  readonly perShard = new Map<number, ShardTotals>();
  readonly samples: StatsSample[] = [];
  /** Exchange durations since the last sample. */
  private readonly intervalDurations: Histogram = createHistogram();
  private intervalPerShard: Record<number, number> = {};

  merge(delta: StatsDelta): void {
    addCounters(this.counters, delta.counters);
    addFaultCounts(this.faultsApplied, delta.faultsApplied);
    addFaultCounts(this.exchangesByFault, delta.exchangesByFault);
    const durations = decodeHistogram(delta.exchangeDurations);
    this.exchangeDurations.add(durations);
    this.intervalDurations.add(durations);
    this.intervalPerShard[delta.shardId] = (this.intervalPerShard[delta.shardId] ?? 0) + delta.counters.exchanges;
    this.injectedDelays.add(decodeHistogram(delta.injectedDelays));
    let shard = this.perShard.get(delta.shardId);
    if (!shard) {
      shard = { counters: zeroCounters(), faultsApplied: {} };
      this.perShard.set(delta.shardId, shard);
    }
    addCounters(shard.counters, delta.counters);
    addFaultCounts(shard.faultsApplied, delta.faultsApplied);
  }

  /** Closes the current interval: records a sample and starts a new one. */
  sample(elapsedMs: number): StatsSample {
    const count = this.intervalDurations.totalCount;
    const sample: StatsSample = {
      elapsedMs,
      counters: { ...this.counters },
      intervalExchanges: count,
      intervalP50Ms: count ? this.intervalDurations.getValueAtPercentile(50) / 1000 : 0,
      intervalP99Ms: count ? this.intervalDurations.getValueAtPercentile(99) / 1000 : 0,
      openConnections: this.openConnections,
      intervalExchangesPerShard: this.intervalPerShard,
    };
    this.samples.push(sample);
    this.intervalDurations.reset();
    this.intervalPerShard = {};
    return sample;
  }

  get openConnections(): number {
    return this.counters.connectionsAccepted - this.counters.connectionsClosed;
  }
}
