// Main-thread logging (--log-file, --log-stdout, --log-level): the engine's own lines and the
// batches shards post. File writes are asynchronous (fs.WriteStream) and bounded: when the disk
// cannot keep up, lines are dropped and counted rather than piling up in memory. With no
// destination, the threshold is "off" and nothing is formatted at all.
import { createWriteStream, type WriteStream } from 'node:fs';
import type { LoggingConfig } from '../config/types';
import { LOG_OFF, type LogLevel, type LogThreshold, isLogged, parseLogFilter } from '../telemetry/log-levels';
import type { LogBatch, LogRecord } from '../telemetry/log-record';

/** Bytes a slow log file may have waiting before new lines are dropped. */
const MAX_PENDING_FILE_BYTES = 16 * 1024 * 1024;

export interface Logger {
  /** What shards should send: records at or above this severity (LOG_OFF: nothing). */
  readonly threshold: LogThreshold;
  enabled(level: LogLevel): boolean;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  trace(message: string): void;
  /** Writes a batch of records a shard posted. */
  shardBatch(shardId: number, batch: LogBatch): void;
  /** Writes what is pending and closes the file. */
  close(): Promise<void>;
}

function formatLine(record: LogRecord, source: string): string {
  return `${new Date(record.time).toISOString()} ${record.level.toUpperCase().padEnd(5)} [${source}] ${record.message}\n`;
}

class FileSink {
  private readonly stream: WriteStream;
  private droppedLines = 0;
  private failed = false;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a' });
    this.stream.on('error', (error) => {
      if (!this.failed) process.stderr.write(`warning: cannot write the log file ${path}: ${error.message}\n`);
      this.failed = true;
    });
  }

  write(line: string): void {
    if (this.failed) return;
    if (this.stream.writableLength > MAX_PENDING_FILE_BYTES) {
      this.droppedLines++;
      return;
    }
    if (this.droppedLines > 0) {
      this.stream.write(`${new Date().toISOString()} WARN  [main] ${this.droppedLines} log lines dropped: the log file could not keep up\n`);
      this.droppedLines = 0;
    }
    this.stream.write(line);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.failed || this.stream.destroyed) return resolve();
      this.stream.end(() => resolve());
    });
  }
}

export function createLogger(config: LoggingConfig): Logger {
  const file = config.logFile ? new FileSink(config.logFile) : undefined;
  const toStdout = config.logStdout;
  const filter = parseLogFilter(config.logLevel);
  const threshold = file || toStdout ? filter.threshold : LOG_OFF;
  if (threshold !== LOG_OFF && filter.ignored.length > 0) {
    process.stderr.write(`warning: --log-level: ignoring ${filter.ignored.map((d) => `'${d}'`).join(', ')}\n`);
  }

  const write = (record: LogRecord, source: string): void => {
    if (!isLogged(record.level, threshold)) return;
    const line = formatLine(record, source);
    file?.write(line);
    if (toStdout) process.stdout.write(line);
  };
  const main = (level: LogLevel) => (message: string) => write({ time: Date.now(), level, message }, 'main');

  return {
    threshold,
    enabled: (level) => isLogged(level, threshold),
    error: main('error'),
    warn: main('warn'),
    info: main('info'),
    debug: main('debug'),
    trace: main('trace'),
    shardBatch: (shardId, batch) => {
      const source = `shard ${shardId}`;
      for (const record of batch.records) write(record, source);
      if (batch.dropped > 0) {
        write({ time: Date.now(), level: 'warn', message: `${batch.dropped} log records dropped: the shard's log buffer was full` }, source);
      }
    },
    close: async () => {
      await file?.close();
    },
  };
}
