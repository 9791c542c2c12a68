// A log line in transit: shards build these and post them to the engine in batches, the
// engine formats and writes them.
import type { LogLevel } from './log-levels';

export interface LogRecord {
  /** Wall clock, ms since the epoch, when it happened (not when it was written). */
  time: number;
  level: LogLevel;
  message: string;
}

export interface LogBatch {
  records: LogRecord[];
  /** Records the shard discarded because its buffer was full. */
  dropped: number;
}
