// What the per-exchange records add to the merged counters: status codes, error messages,
// protocols and the slowest exchanges. One pass, bounded memory, even over a million records.
import type { ExchangeRecord } from '../stats/exchange-record';
import type { ExchangeDigest, SlowExchange } from './report-document';

export const SLOWEST_KEPT = 10;
const ERROR_MESSAGES_KEPT = 10;

export function digestExchanges(records: readonly ExchangeRecord[], droppedRecords: number): ExchangeDigest {
  const byProtocol = { http: 0, connect: 0, tcp: 0 };
  const statuses = new Map<number, number>();
  const errors = new Map<string, number>();
  const slowest: ExchangeRecord[] = [];
  for (const record of records) {
    byProtocol[record.protocol]++;
    statuses.set(record.status, (statuses.get(record.status) ?? 0) + 1);
    if (record.error !== undefined) errors.set(record.error, (errors.get(record.error) ?? 0) + 1);
    keepIfSlowest(slowest, record);
  }
  return {
    recordsKept: records.length,
    recordsDropped: droppedRecords,
    byProtocol,
    statusCodes: [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => ({ status, count })),
    errorMessages: [...errors]
      .sort(([, a], [, b]) => b - a)
      .slice(0, ERROR_MESSAGES_KEPT)
      .map(([message, count]) => ({ message, count })),
    slowest: slowest.map(slowExchangeOf),
  };
}

/** `slowest` stays sorted, slowest first, and no longer than SLOWEST_KEPT. */
function keepIfSlowest(slowest: ExchangeRecord[], record: ExchangeRecord): void {
  if (slowest.length === SLOWEST_KEPT && record.durationMs <= slowest[SLOWEST_KEPT - 1].durationMs) return;
  let at = slowest.length;
  while (at > 0 && slowest[at - 1].durationMs < record.durationMs) at--;
  slowest.splice(at, 0, record);
  if (slowest.length > SLOWEST_KEPT) slowest.pop();
}

function slowExchangeOf(record: ExchangeRecord): SlowExchange {
  return {
    startedAt: new Date(record.startedAt).toISOString(),
    durationMs: record.durationMs,
    shard: record.shardId,
    protocol: record.protocol,
    method: record.method,
    target: record.target,
    status: record.status,
    passthrough: record.passthrough,
    faults: record.faults,
    injectedMs: record.injectedMs,
    bytesToUpstream: record.bytesToUpstream,
    bytesToClient: record.bytesToClient,
    error: record.error ?? null,
  };
}
