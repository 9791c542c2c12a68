// Finished exchanges counted by what happened to them, from the shards' exchange records: the
// source of `fault_requests_total`. Each exchange lands in exactly one series, keyed by the set
// of fault kinds that acted on it (sorted, joined with '+'; 'none' when no fault acted) and by
// whether it was passed through untouched, so the series add up to the number of exchanges.
import type { ExchangeRecord } from '../stats/exchange-record';

export interface RequestSeries {
  /** 'none', one kind ('latency'), or several joined in alphabetical order ('bandwidth+latency'). */
  fault: string;
  passthrough: boolean;
  count: number;
}

export const NO_FAULT = 'none';

export class RequestTally {
  private readonly series = new Map<string, RequestSeries>();
  private totalCount = 0;
  /** Records the shards could not ship (their buffer was full): those exchanges are missing here. */
  droppedRecords = 0;

  add(records: readonly ExchangeRecord[], dropped: number): void {
    this.droppedRecords += dropped;
    for (const record of records) {
      const fault = record.faults.length === 0 ? NO_FAULT : [...new Set(record.faults)].sort().join('+');
      const key = `${fault}|${record.passthrough}`;
      let entry = this.series.get(key);
      if (!entry) {
        entry = { fault, passthrough: record.passthrough, count: 0 };
        this.series.set(key, entry);
      }
      entry.count++;
      this.totalCount++;
    }
  }

  /** Every series seen so far, plus the two 'none' series (always present, possibly 0). */
  all(): RequestSeries[] {
    const result = [...this.series.values()];
    for (const passthrough of [false, true]) {
      if (!this.series.has(`${NO_FAULT}|${passthrough}`)) result.push({ fault: NO_FAULT, passthrough, count: 0 });
    }
    return result.sort((a, b) => a.fault.localeCompare(b.fault) || Number(a.passthrough) - Number(b.passthrough));
  }

  get total(): number {
    return this.totalCount;
  }
}
