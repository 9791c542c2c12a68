// Runs the shards as long-lived piscina tasks, one per worker thread: starts them, restarts a
// shard that crashes (with fresh sockets in the same SO_REUSEPORT groups), broadcasts fault
// sets, collects statistics, and stops them with a drain over their MessagePorts.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { RunConfig } from '../config/types';
import type { FaultSet } from '../proxy/shard-context';
import type { ExchangeRecord } from '../stats/exchange-record';
import type { StatsDelta } from '../stats/shard-stats';
import type { LogThreshold } from '../telemetry/log-levels';
import type { LogBatch } from '../telemetry/log-record';
import { type ListenPlan, reopenForShard } from './listeners';
import type { EngineToShard, ShardListener, ShardResult, ShardTask, ShardToEngine } from './protocol';

const SHARD_FILE = join(__dirname, '..', '..', 'workers', 'shard.js');

export interface SupervisorEvents {
  onStats(delta: StatsDelta): void;
  onExchanges?(records: ExchangeRecord[], dropped: number): void;
  onShardCrash(shardId: number, error: Error): void;
  onContainedError?(shardId: number, message: string): void;
  /** Which log records shards should post (absent: none), and where they go. */
  shardLogThreshold?: LogThreshold;
  onShardLogs?(shardId: number, batch: LogBatch): void;
}

interface RunningShard {
  port: MessagePort;
  done: Promise<ShardResult | undefined>;
}

export class ShardSupervisor {
  private readonly pool: Piscina;
  private readonly shards = new Map<number, RunningShard>();
  private stopping = false;
  private faultSet: FaultSet;

  constructor(
    private readonly config: RunConfig,
    private readonly plan: ListenPlan,
    initialFaults: FaultSet,
    private readonly seed: number,
    private readonly events: SupervisorEvents,
  ) {
    const threads = plan.perShard.length;
    this.faultSet = initialFaults;
    this.pool = new Piscina({
      filename: SHARD_FILE,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      atomics: 'disabled',
    });
  }

  get shardCount(): number {
    return this.plan.perShard.length;
  }

  /** Starts every shard; resolves when all listen, rejects with the first listen error. */
  async start(): Promise<void> {
    const ready = this.plan.perShard.map((listeners, shardId) => this.launch(shardId, listeners, 0));
    await Promise.all(ready);
  }

  broadcast(set: FaultSet): void {
    this.faultSet = set;
    for (const shard of this.shards.values()) this.send(shard.port, { type: 'faults', set });
  }

  /** Asks every shard to drain and waits for all of them. Returns the shards' results. */
  async stop(): Promise<ShardResult[]> {
    this.stopping = true;
    for (const shard of this.shards.values()) this.send(shard.port, { type: 'stop' });
    const results = await Promise.all([...this.shards.values()].map((s) => s.done));
    await this.pool.destroy();
    return results.filter((r): r is ShardResult => r !== undefined);
  }

  private send(port: MessagePort, message: EngineToShard): void {
    try {
      port.postMessage(message);
    } catch {
      // the shard is gone; its crash handler deals with it
    }
  }

  private launch(shardId: number, listeners: ShardListener[], generation: number): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    return new Promise<void>((resolveReady, rejectReady) => {
      let ready = false;
      port1.on('message', (message: ShardToEngine) => {
        if (message.type === 'stats') this.events.onStats(message.delta);
        else if (message.type === 'contained-error') this.events.onContainedError?.(message.shardId, message.message);
        else if (message.type === 'exchanges') this.events.onExchanges?.(message.records, message.dropped);
        else if (message.type === 'logs') this.events.onShardLogs?.(message.shardId, message);
        else if (message.type === 'ready') {
          ready = true;
          // A shard that bound its addresses itself (no addon) knows the real ports.
          message.ports.forEach((port, i) => (this.plan.points[i].port = port));
          resolveReady();
        } else if (message.type === 'listen-error') {
          rejectReady(Object.assign(new Error(message.message), { code: message.code }));
        }
      });
      const task: ShardTask = {
        shardId,
        generation,
        config: this.config,
        faults: this.faultSet,
        listeners,
        seed: this.seed,
        control: port2,
        logThreshold: this.events.shardLogThreshold,
      };
      const done = (this.pool.run(task, { transferList: [port2] }) as Promise<ShardResult>).then(
        (result) => {
          port1.close();
          if (result.finalStats) this.events.onStats(result.finalStats);
          if (result.finalExchanges) this.events.onExchanges?.(result.finalExchanges.records, result.finalExchanges.dropped);
          if (result.finalLogs) this.events.onShardLogs?.(shardId, result.finalLogs);
          return result;
        },
        (error: Error) => {
          port1.close();
          if (!ready) {
            rejectReady(error);
            return undefined;
          }
          if (this.stopping) return undefined;
          this.events.onShardCrash(shardId, error);
          const restarted = this.launch(shardId, reopenForShard(this.plan), generation + 1);
          restarted.catch((restartError: Error) => this.events.onShardCrash(shardId, restartError));
          return restarted.then(() => this.shards.get(shardId)!.done);
        },
      );
      this.shards.set(shardId, { port: port1, done });
    });
  }
}
