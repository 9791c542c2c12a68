// Everything a report of one run is made of, gathered by the engine when the run ends.
import type { RunConfig } from '../config/types';
import type { ListenPlan } from '../engine/listeners';
import type { StatsAggregate } from '../stats/aggregate';
import type { ExchangeRecord } from '../stats/exchange-record';

export interface RunReportInput {
  config: RunConfig;
  plan: ListenPlan;
  shards: number;
  seed: number;
  /** Wall clock, ms since the epoch. */
  startedAt: number;
  endedAt: number;
  /** Why the run ended: `duration elapsed`, `SIGINT`, `SIGTERM`. */
  reason: string;
  stats: StatsAggregate;
  /** Every finished exchange the shards shipped (may be capped; see droppedRecords). */
  records: readonly ExchangeRecord[];
  droppedRecords: number;
  /** Connections still open when the drain time ran out. */
  cutConnections: number;
}
