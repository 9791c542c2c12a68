// What one shard records. The engine pulls a delta about once a second (and a last one at
// stop); taking a delta resets the shard's numbers, so merging deltas never double counts.
import type { FaultKind } from '../config/types';
import { type Counters, type FaultCounts, zeroCounters } from './counters';
import { type Histogram, createHistogram, encodeHistogram, recordMs } from './histogram';

export interface StatsDelta {
  shardId: number;
  counters: Counters;
  faultsApplied: FaultCounts;
  /** Exchanges on which each fault kind acted (at least once). */
  exchangesByFault: FaultCounts;
  /** Compressed HDR histograms (µs): whole exchange/connection durations, injected delays. */
  exchangeDurations: string;
  injectedDelays: string;
}

export class ShardStats {
  counters: Counters = zeroCounters();
  faultsApplied: FaultCounts = {};
  exchangesByFault: FaultCounts = {};
  private readonly exchangeDurations: Histogram = createHistogram();
  private readonly injectedDelays: Histogram = createHistogram();

  constructor(readonly shardId: number) {}

  faultApplied(kind: FaultKind, injectedMs: number): void {
    this.faultsApplied[kind] = (this.faultsApplied[kind] ?? 0) + 1;
    if (injectedMs > 0) recordMs(this.injectedDelays, injectedMs);
  }

  exchangeFinished(durationMs: number, faultKinds: readonly string[]): void {
    recordMs(this.exchangeDurations, durationMs);
    for (const kind of faultKinds) {
      const k = kind as FaultKind;
      this.exchangesByFault[k] = (this.exchangesByFault[k] ?? 0) + 1;
    }
  }

  takeDelta(): StatsDelta {
    const delta: StatsDelta = {
      shardId: this.shardId,
      counters: this.counters,
      faultsApplied: this.faultsApplied,
      exchangesByFault: this.exchangesByFault,
      exchangeDurations: encodeHistogram(this.exchangeDurations),
      injectedDelays: encodeHistogram(this.injectedDelays),
    };
    this.counters = zeroCounters();
    this.faultsApplied = {};
    this.exchangesByFault = {};
    this.exchangeDurations.reset();
    this.injectedDelays.reset();
    return delta;
  }
}
