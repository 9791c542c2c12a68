// What the live view shows, as plain data (`LiveState`), and the model that keeps it up to date
// from the engine's events. Keeping the state separate from drawing makes the frame a pure
// function of it.
import type { ConfiguredFault, ScheduleWindow } from '../config/types';
import { isActiveAt } from '../engine/fault-timeline';
import type { ActiveFault } from '../faults/registry';
import type { StatsAggregate } from '../stats/aggregate';
import type { Counters } from '../stats/counters';
import { type Percentiles, percentilesOf } from '../stats/histogram';
import { type ShardLoad, type TrafficSnapshot, emptySnapshot, ratesBetween, snapshotOf } from './traffic-rates';

export interface FaultActivity {
  /** The fault's kind, e.g. `latency`. */
  kind: string;
  active: boolean;
  /** Empty: on for the whole run. */
  windows: readonly ScheduleWindow[];
  /** Exchanges it acted on, and how many times it acted in all (a per-chunk fault acts often). */
  exchanges: number;
  applications: number;
}

export interface LiveState {
  elapsedMs: number;
  durationMs?: number;
  /** Set once the run is stopping (duration elapsed, SIGINT...): open connections drain. */
  stopping?: string;
  shards: number;
  seed: number;
  /** How to send traffic through the proxy, shown while none came yet. */
  usageHint?: string;
  exchangesPerSecond: number;
  connectionsPerSecond: number;
  openConnections: number;
  counters: Counters;
  endToEnd: Percentiles;
  injected: Percentiles;
  faults: FaultActivity[];
  shardLoad: ShardLoad[];
}

/** Seconds of history the rates are computed over. */
const RATE_WINDOW_TICKS = 3;

const NO_PERCENTILES: Percentiles = { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };

export class LiveModel {
  private readonly history: TrafficSnapshot[] = [emptySnapshot()];
  private activeIds: Set<string>;
  private state: LiveState;

  constructor(
    private readonly faults: readonly ConfiguredFault[],
    init: { durationMs?: number; shards: number; seed: number; usageHint?: string },
  ) {
    this.activeIds = new Set(faults.filter((f) => isActiveAt(f, 0)).map((f) => f.id));
    const latest = this.history[0];
    this.state = {
      elapsedMs: 0,
      durationMs: init.durationMs,
      shards: init.shards,
      seed: init.seed,
      usageHint: init.usageHint,
      exchangesPerSecond: 0,
      connectionsPerSecond: 0,
      openConnections: 0,
      counters: latest.counters,
      endToEnd: NO_PERCENTILES,
      injected: NO_PERCENTILES,
      faults: this.faultActivity(undefined),
      shardLoad: ratesBetween(latest, latest, init.shards).shards,
    };
  }

  /** New merged statistics (about once a second). */
  update(stats: StatsAggregate, elapsedMs: number): void {
    const now = snapshotOf(stats, elapsedMs);
    this.history.push(now);
    if (this.history.length > RATE_WINDOW_TICKS + 1) this.history.shift();
    const rates = ratesBetween(this.history[0], now, this.state.shards);
    this.state = {
      ...this.state,
      elapsedMs,
      exchangesPerSecond: rates.exchangesPerSecond,
      connectionsPerSecond: rates.connectionsPerSecond,
      openConnections: stats.openConnections,
      counters: now.counters,
      endToEnd: percentilesOf(stats.exchangeDurations),
      injected: percentilesOf(stats.injectedDelays),
      faults: this.faultActivity(stats),
      shardLoad: rates.shards,
    };
  }

  faultsChanged(active: readonly ActiveFault[]): void {
    this.activeIds = new Set(active.map((f) => f.id));
    this.state = { ...this.state, faults: this.state.faults.map((f, i) => ({ ...f, active: this.activeIds.has(this.faults[i].id) })) };
  }

  stopping(reason: string): void {
    this.state = { ...this.state, stopping: reason };
  }

  /** The state, with the clock moved to `elapsedMs` (the view redraws between statistics). */
  at(elapsedMs: number): LiveState {
    return { ...this.state, elapsedMs: Math.max(elapsedMs, this.state.elapsedMs) };
  }

  private faultActivity(stats: StatsAggregate | undefined): FaultActivity[] {
    return this.faults.map((fault) => ({
      kind: fault.spec.kind,
      active: this.activeIds.has(fault.id),
      windows: fault.schedule,
      exchanges: stats?.exchangesByFault[fault.spec.kind] ?? 0,
      applications: stats?.faultsApplied[fault.spec.kind] ?? 0,
    }));
  }
}
