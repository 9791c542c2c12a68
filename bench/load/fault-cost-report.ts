// The printed result of the fault-cost suite: one table per listener, each fault against the
// same listener with no fault, and the faults whose cost stands out.
import type { FaultCostRow } from './fault-cost-summary';
import { FAULT_COST_WORKERS, type ListenerMode } from './fault-cost-targets';
import { fixed, percent, times } from './number-format';
import type { Measurement } from './measure';
import type { LoadBenchOptions } from './options';
import { formatTable } from './text-table';

/** A fault that loses more than this share of throughput (or adds this much CPU) is called out. */
export const NOTABLE_COST = 0.15;

/** A measurement during which other processes used more than this share of the machine competed with them. */
const BUSY_MACHINE_SHARE = 0.1;

const LISTENER_TITLE: Readonly<Record<ListenerMode, string>> = {
  tcp: `TCP mapping (--proxy), ${FAULT_COST_WORKERS} workers`,
  http: `HTTP forward proxy (--upstream '*'), ${FAULT_COST_WORKERS} workers`,
};

export function formatFaultCostReport(
  rows: readonly FaultCostRow[],
  measurements: readonly Measurement[],
  options: LoadBenchOptions,
  cpuTickMicros: number,
): string {
  const modes = (['tcp', 'http'] as const).filter((mode) => rows.some((row) => row.mode === mode));
  const tables = modes.flatMap((mode) => [LISTENER_TITLE[mode], tableOf(rows.filter((row) => row.mode === mode)), '']);
  const faults = rows.filter((row) => row.baselineId !== undefined);
  const slower = faults.filter((row) => row.vsNoFault.requestsPerSecond < 1 - NOTABLE_COST);
  const hungrier = faults.filter((row) => row.vsNoFault.proxyCpuPerRequest > 1 + NOTABLE_COST);
  const problems = rows.flatMap((row) => row.problems.map((problem) => `  ${label(row)}, ${problem}`));
  const disturbed = measurements.filter((m) => m.outsideCpuShare > BUSY_MACHINE_SHARE).length;
  return [
    `Fault cost: wrk -t${options.wrkThreads} -c${options.connections}, ${options.durationSeconds} s per measurement ` +
      `after ${options.warmupSeconds} s warm-up, ${options.rounds} interleaved round(s); median over rounds.`,
    '',
    ...tables,
    `vs no fault = this row / the no-fault row of the same listener (medians over rounds; the TCP no-fault row is measured twice a round).`,
    `req/s below 1 means the fault costs throughput; CPU above 1 means it costs proxy CPU per request.`,
    `CPU is utime+stime of the whole fault process (all threads), read from /proc in ${cpuTickMicros / 1000} ms ticks.`,
    `spread = (max - min) / median req/s over the rounds. outside = median share of all cores used by other`,
    `processes during the measured runs (not the proxy, origin, wrk or harness); near 0% on a quiet machine.`,
    `${disturbed} of ${measurements.length} measurements ran while other processes used more than ${percent(BUSY_MACHINE_SHARE)} of the machine.`,
    '',
    `More than ${percent(NOTABLE_COST)} less throughput: ${listOrNone(slower)}`,
    `More than ${percent(NOTABLE_COST)} more CPU per request: ${listOrNone(hungrier)}`,
    ...expectations(faults),
    ...(problems.length > 0 ? ['', 'Problems seen:', ...problems] : []),
  ].join('\n');
}

function tableOf(rows: readonly FaultCostRow[]): string {
  return formatTable(
    ['fault', 'setting', 'req/s', 'vs no fault', 'CPU us/req', 'vs no fault', 'p50 ms', 'p99 ms', 'spread', 'outside'],
    rows.map((row) => [
      row.fault,
      row.setting,
      fixed(row.requestsPerSecond, 0),
      times(row.vsNoFault.requestsPerSecond),
      fixed(row.proxyCpuMicrosPerRequest, 1),
      times(row.vsNoFault.proxyCpuPerRequest),
      fixed(row.latencyP50Ms, 2),
      fixed(row.latencyP99Ms, 2),
      percent(row.requestsPerSecondSpread),
      percent(row.outsideCpuShare),
    ]),
    2,
  );
}

function label(row: FaultCostRow): string {
  return `${row.mode === 'tcp' ? 'TCP' : 'HTTP'} ${row.fault}: ${row.setting}`;
}

function listOrNone(rows: readonly FaultCostRow[]): string {
  if (rows.length === 0) return 'none';
  return rows.map((row) => `${label(row)}${row.expectation === undefined ? '' : ' [expected]'}`).join('; ');
}

function expectations(rows: readonly FaultCostRow[]): string[] {
  const expected = rows.filter((row) => row.expectation !== undefined);
  return expected.length === 0 ? [] : ['Expected to differ:', ...expected.map((row) => `  ${label(row)} -> ${row.expectation}`)];
}
