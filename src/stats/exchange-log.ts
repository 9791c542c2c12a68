// Collects finished-exchange records in a shard and ships them to the engine in batches, only
// when something wants them (--tail, reports). Bounded: when the engine cannot keep up, records
// are counted as dropped rather than queued without limit, so the data plane never waits.
import type { ExchangeRecord } from './exchange-record';

const FLUSH_INTERVAL_MS = 100;
const MAX_BUFFERED = 20_000;

export class ExchangeLog {
  private buffer: ExchangeRecord[] = [];
  private dropped = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(
    readonly enabled: boolean,
    private readonly ship: (records: ExchangeRecord[], dropped: number) => void,
  ) {
    if (enabled) this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
  }

  add(record: ExchangeRecord): void {
    if (!this.enabled) return;
    if (this.buffer.length >= MAX_BUFFERED) this.dropped++;
    else this.buffer.push(record);
  }

  flush(): void {
    if (this.buffer.length === 0 && this.dropped === 0) return;
    const records = this.buffer;
    const dropped = this.dropped;
    this.buffer = [];
    this.dropped = 0;
    this.ship(records, dropped);
  }

  /** Stops shipping and hands back what was not shipped yet (it travels with the shard's result). */
  close(): { records: ExchangeRecord[]; dropped: number } {
    if (this.timer) clearInterval(this.timer);
    const rest = { records: this.buffer, dropped: this.dropped };
    this.buffer = [];
    this.dropped = 0;
    return rest;
  }
}
