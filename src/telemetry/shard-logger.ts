// Logging inside a shard. The data plane must never wait for a log write, so records are
// buffered and posted to the engine in batches; when the buffer is full, records are dropped
// and counted instead of queued without limit. With logging off, nothing is built at all.
import { type LogLevel, type LogThreshold, isLogged } from './log-levels';
import type { LogBatch, LogRecord } from './log-record';

const FLUSH_DELAY_MS = 200;
const MAX_BUFFERED = 5_000;

export class ShardLogger {
  private buffer: LogRecord[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly threshold: LogThreshold,
    private readonly ship: (batch: LogBatch) => void,
  ) {}

  /** Check before building an expensive message. */
  enabled(level: LogLevel): boolean {
    return isLogged(level, this.threshold);
  }

  error(message: string): void {
    this.log('error', message);
  }
  warn(message: string): void {
    this.log('warn', message);
  }
  info(message: string): void {
    this.log('info', message);
  }
  debug(message: string): void {
    this.log('debug', message);
  }
  trace(message: string): void {
    this.log('trace', message);
  }

  log(level: LogLevel, message: string, time = Date.now()): void {
    if (this.closed || !this.enabled(level)) return;
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped++;
      return;
    }
    this.buffer.push({ time, level, message });
    // One timer per batch rather than a permanent interval: an idle shard does no work.
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.take();
    if (batch) this.ship(batch);
  }

  /** Stops logging and hands back what was not shipped yet (it travels with the shard's result). */
  close(): LogBatch | undefined {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.closed = true;
    return this.take();
  }

  private take(): LogBatch | undefined {
    if (this.buffer.length === 0 && this.dropped === 0) return undefined;
    const batch = { records: this.buffer, dropped: this.dropped };
    this.buffer = [];
    this.dropped = 0;
    return batch;
  }
}
