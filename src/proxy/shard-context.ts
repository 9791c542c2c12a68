// Everything the data plane of one shard shares: configuration, the shard's timer wheel,
// randomness, statistics, the fault set in force, and the registry of open sockets (for drain).
import type { Socket } from 'node:net';
import type { FaultSpec, RunConfig } from '../config/types';
import type { Flow, FlowStage } from '../faults/fault';
import type { Random } from '../faults/random';
import { buildFlowStages } from '../faults/registry';
import type { ShardStats } from '../stats/shard-stats';
import type { TimerWheel } from '../time/timer-wheel';

/** A versioned set of active faults, decided by the engine and broadcast to every shard. */
export interface FaultSet {
  version: number;
  faults: FaultSpec[];
}

export type FlowStages = Record<Flow, FlowStage[]>;

/** The stages of an exchange no fault touches. */
export const NO_STAGES: FlowStages = Object.freeze({ toUpstream: [], toClient: [] }) as FlowStages;

export class ShardContext {
  private faultSet: FaultSet;
  private connectionSeq = 0;
  readonly openSockets = new Set<Socket>();

  constructor(
    readonly shardId: number,
    readonly config: RunConfig,
    readonly wheel: TimerWheel,
    private readonly random: Random,
    readonly stats: ShardStats,
    initialFaults: FaultSet,
  ) {
    this.faultSet = initialFaults;
  }

  get faults(): FaultSet {
    return this.faultSet;
  }

  /** Install a newer fault set; older versions arriving late are ignored. */
  setFaults(next: FaultSet): void {
    if (next.version > this.faultSet.version) this.faultSet = next;
  }

  /**
   * The stages for a new connection or exchange, from the fault set in force now. Each
   * connection gets its own random stream, so a seeded run draws the same values every time.
   */
  stagesForNewExchange(): FlowStages {
    const faults = this.faultSet.faults;
    if (faults.length === 0) return NO_STAGES;
    const random = this.random.fork(++this.connectionSeq);
    const stats = this.stats;
    const context = { random, applied: stats.faultApplied.bind(stats) };
    return {
      toUpstream: buildFlowStages(faults, 'toUpstream', context),
      toClient: buildFlowStages(faults, 'toClient', context),
    };
  }

  /** Remember a socket until it closes, so that stop can drain or cut it. */
  track(socket: Socket): void {
    this.openSockets.add(socket);
    this.stats.counters.connectionsAccepted++;
    socket.once('close', () => {
      this.openSockets.delete(socket);
      this.stats.counters.connectionsClosed++;
    });
  }
}
