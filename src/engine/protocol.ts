// Messages between the engine (main thread) and its shards (worker threads).
import type { MessagePort } from 'node:worker_threads';
import type { RunConfig } from '../config/types';
import type { FaultSet } from '../proxy/shard-context';
import type { ExchangeRecord } from '../stats/exchange-record';
import type { StatsDelta } from '../stats/shard-stats';
import type { LogThreshold } from '../telemetry/log-levels';
import type { LogBatch } from '../telemetry/log-record';

/** Which server a listening socket belongs to. */
export type ListenerRole = { kind: 'http-proxy' } | { kind: 'mapping'; mappingIndex: number } | { kind: 'stealth' };

/** A listening socket handed to a shard: an fd opened by the engine, or an address to bind itself. */
export type ShardListener =
  | { role: ListenerRole; fd: number }
  | { role: ListenerRole; host: string; port: number };

export interface ShardTask {
  shardId: number;
  /** How many times this shard was restarted after a crash (0 for the first start). */
  generation: number;
  config: RunConfig;
  faults: FaultSet;
  listeners: ShardListener[];
  /** The run's seed; each shard derives its own stream from it. */
  seed: number;
  control: MessagePort;
  /** Which log records the engine wants (LOG_OFF or absent: none). */
  logThreshold?: LogThreshold;
}

export type EngineToShard = { type: 'faults'; set: FaultSet } | { type: 'stop' };

export type ShardToEngine =
  /** ports: the bound port of each listener, in the order they were given. */
  | { type: 'ready'; shardId: number; ports: number[] }
  | { type: 'listen-error'; shardId: number; code?: string; message: string }
  | { type: 'stats'; delta: StatsDelta }
  /** An unexpected error in one exchange, contained: the shard keeps serving. */
  | { type: 'contained-error'; shardId: number; message: string }
  /** Finished exchanges (when --tail, a report, metrics or OpenTelemetry want them); `dropped` were not kept. */
  | { type: 'exchanges'; records: ExchangeRecord[]; dropped: number }
  /** Log records, batched; `dropped` were discarded because the shard's buffer was full. */
  | ({ type: 'logs'; shardId: number } & LogBatch);

export interface ShardResult {
  shardId: number;
  /** Connections cut because they were still open when the drain time ran out. */
  cutConnections: number;
  /** Statistics since the last periodic report; returned with the task so none are lost in flight. */
  finalStats?: StatsDelta;
  /** Exchange records not shipped yet, for the same reason. */
  finalExchanges?: { records: ExchangeRecord[]; dropped: number };
  /** Log records not shipped yet, for the same reason. */
  finalLogs?: LogBatch;
}
