// The human-readable result: a throughput/CPU table, a latency-accuracy table, and notes.
import { fixed, percent, signed, times } from './number-format';
import type { LoadBenchOptions } from './options';
import type { TargetSummary } from './summary';
import { NODE_HTTP_ID, TIMER_FLOOR_ID } from './targets';
import { formatTable } from './text-table';

export function formatReport(rows: readonly TargetSummary[], options: LoadBenchOptions, cpuTickMicros: number): string {
  const throughput = formatTable(
    ['target', 'req/s', 'spread', 'vs haproxy', 'p50 ms', 'p99 ms', 'proxy CPU us/req', 'vs haproxy', 'origin CPU us/req'],
    rows.map((row) => [
      row.label,
      fixed(row.requestsPerSecond, 0),
      percent(row.requestsPerSecondSpread),
      times(row.vsHaproxy.requestsPerSecond),
      fixed(row.latencyP50Ms, 2),
      fixed(row.latencyP99Ms, 2),
      fixed(row.proxyCpuMicrosPerRequest, 1),
      times(row.vsHaproxy.proxyCpuPerRequest),
      fixed(row.originCpuMicrosPerRequest, 1),
    ]),
  );
  const nodeHttp = rows.find((row) => row.targetId === NODE_HTTP_ID);
  const vsNodeHttpRows = rows.filter((row) => row.vsNodeHttp !== undefined);
  const vsNodeHttp =
    nodeHttp === undefined || vsNodeHttpRows.length === 0
      ? undefined
      : formatTable(
          ['target', 'req/s', 'vs node:http', 'proxy CPU us/req', 'vs node:http', 'p50 ms', 'p99 ms'],
          [nodeHttp, ...vsNodeHttpRows].map((row) => [
            row.label,
            fixed(row.requestsPerSecond, 0),
            times(row === nodeHttp ? 1 : row.vsNodeHttp?.requestsPerSecond),
            fixed(row.proxyCpuMicrosPerRequest, 1),
            times(row === nodeHttp ? 1 : row.vsNodeHttp?.proxyCpuPerRequest),
            fixed(row.latencyP50Ms, 2),
            fixed(row.latencyP99Ms, 2),
          ]),
        );
  const latencyRows = rows.filter((row) => row.latencyErrorMs !== undefined);
  const latency = formatTable(
    ['target', 'p50 ms', 'p99 ms', 'p50 error ms', 'p99 error ms', 'p50 over floor', 'p99 over floor'],
    [
      ...rows
        .filter((row) => row.targetId === TIMER_FLOOR_ID)
        .map((row) => [row.label, fixed(row.latencyP50Ms, 2), fixed(row.latencyP99Ms, 2), '', '', '', '']),
      ...latencyRows.map((row) => [
        row.label,
        fixed(row.latencyP50Ms, 2),
        fixed(row.latencyP99Ms, 2),
        signed(row.latencyErrorMs?.p50),
        signed(row.latencyErrorMs?.p99),
        signed(row.overTimerFloorMs?.p50),
        signed(row.overTimerFloorMs?.p99),
      ]),
    ],
  );
  const problems = rows.flatMap((row) => row.problems.map((problem) => `  ${row.label}, ${problem}`));
  return [
    `Load benchmark: wrk -t${options.wrkThreads} -c${options.connections}, ${options.durationSeconds} s per measurement ` +
      `after ${options.warmupSeconds} s warm-up, ${options.rounds} interleaved round(s); median over rounds.`,
    '',
    throughput,
    '',
    `spread = (max - min) / median req/s over the rounds. vs haproxy = this row / the haproxy row.`,
    `CPU is utime+stime of the whole process (all threads), read from /proc in ${cpuTickMicros / 1000} ms ticks.`,
    `Rows with injected latency are capped near connections / delay (${Math.round((options.connections * 1000) / options.latencyMs)} req/s):`,
    `their req/s and per-request CPU are not comparable with haproxy's at full load.`,
    ...(vsNodeHttp === undefined
      ? []
      : [
          '',
          `fault's HTTP forward proxy vs a minimal node:http forward proxy (same requests, no faults, no stats):`,
          `what node:http itself allows on one thread, and how much of the gap to haproxy is fault's own.`,
          '',
          vsNodeHttp,
        ]),
    '',
    `Injected latency: error = measured - (direct + ${options.latencyMs} ms)` +
      ` (the TCP mapping uses --latency-per-read-write so every response is delayed);`,
    `over floor = measured - the origin that waits ${options.latencyMs} ms itself with setTimeout (the timer floor:`,
    `what a Node timer costs on this machine, wrk and scheduling included, without any proxy).`,
    '',
    latency,
    ...(problems.length > 0 ? ['', 'Problems seen:', ...problems] : []),
  ].join('\n');
}
