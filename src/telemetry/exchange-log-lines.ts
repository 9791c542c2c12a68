// What a shard logs about finished exchanges: failures (upstream refused, reset, malformed...)
// at debug, every exchange at trace.
import type { ExchangeRecord } from '../stats/exchange-record';
import type { ShardLogger } from './shard-logger';

function describe(record: ExchangeRecord): string {
  return `${record.method} ${record.target}`;
}

function details(record: ExchangeRecord): string {
  const parts: string[] = [];
  if (record.passthrough) parts.push('passthrough');
  if (record.faults.length > 0) parts.push(`faults ${record.faults.join('+')}`);
  if (record.injectedMs > 0) parts.push(`injected ${record.injectedMs.toFixed(1)} ms`);
  parts.push(`${record.bytesToUpstream} B up, ${record.bytesToClient} B down`);
  return parts.join(', ');
}

export function logFinishedExchanges(log: ShardLogger, records: readonly ExchangeRecord[]): void {
  const debug = log.enabled('debug');
  const trace = log.enabled('trace');
  if (!debug) return;
  for (const record of records) {
    const finishedAt = record.startedAt + record.durationMs;
    const took = `${record.durationMs.toFixed(1)} ms`;
    if (record.error !== undefined) {
      const status = record.status > 0 ? ` (answered ${record.status})` : '';
      log.log('debug', `${describe(record)} failed after ${took}${status}: ${record.error}`, finishedAt);
    } else if (trace) {
      const status = record.status > 0 ? `${record.status} ` : '';
      log.log('trace', `${describe(record)} ${status}in ${took} (${details(record)})`, finishedAt);
    }
  }
}
