// One measurement of one target: open it, warm it up, then run wrk while reading the CPU time
// the proxy and the origin spend, and close it again.
import { availableParallelism, loadavg } from 'node:os';
import { machineBusyMicros, processCpuMicros, selfAndReapedChildrenCpuMicros } from './cpu';
import { type Fixtures, openEndpoint } from './endpoints';
import type { LoadBenchOptions } from './options';
import type { Target } from './targets';
import { runWrk } from './wrk';
import type { WrkResult } from './wrk-output';

export interface Measurement {
  targetId: string;
  round: number;
  wrk: WrkResult;
  /** CPU time of the proxy process during the measured wrk run; absent when going direct. */
  proxyCpuMicros?: number;
  proxyCpuMicrosPerRequest?: number;
  originCpuMicros: number;
  originCpuMicrosPerRequest: number;
  faultArguments?: string[];
  /** 1-minute load average right after the run: other work on the machine shows up here. */
  loadAverage1m: number;
  /**
   * CPU time the rest of the machine spent during the measured run: all busy time minus the
   * proxy, the origin, wrk and the harness. As a share of all cores over the run, it tells a
   * quiet measurement (near 0) from one that competed with other work.
   */
  outsideCpuMicros: number;
  outsideCpuShare: number;
  /** Anything odd about this run (errors, an unclean proxy exit). */
  problems: string[];
}

export async function measureTarget(target: Target, round: number, fixtures: Fixtures, options: LoadBenchOptions): Promise<Measurement> {
  const endpoint = await openEndpoint(target, fixtures);
  let measured: Omit<Measurement, 'problems'>;
  try {
    const load = {
      port: endpoint.port,
      connections: options.connections,
      threads: options.wrkThreads,
      scriptFile: endpoint.wrkScript,
    };
    // Warm-up: JIT, connection pools, page cache; its numbers are thrown away.
    await runWrk({ ...load, durationSeconds: options.warmupSeconds });

    const proxyPid = endpoint.proxy?.pid;
    const originPid = fixtures.origin.process.pid;
    const proxyBefore = proxyPid === undefined ? undefined : processCpuMicros(proxyPid);
    const originBefore = processCpuMicros(originPid);
    const harnessBefore = selfAndReapedChildrenCpuMicros();
    const machineBefore = machineBusyMicros();
    const wrk = await runWrk({ ...load, durationSeconds: options.durationSeconds });
    const machineBusy = machineBusyMicros() - machineBefore;
    // wrk has exited and been waited for, so its CPU time is in the harness's children's time.
    const harnessAndWrk = selfAndReapedChildrenCpuMicros() - harnessBefore;
    const proxyCpuMicros = proxyPid === undefined || proxyBefore === undefined ? undefined : processCpuMicros(proxyPid) - proxyBefore;
    const originCpuMicros = processCpuMicros(originPid) - originBefore;
    // haproxy is the proxy of its own row only; in every other row it idles and counts as outside.
    const outsideCpuMicros = Math.max(0, machineBusy - harnessAndWrk - originCpuMicros - (proxyCpuMicros ?? 0));

    measured = {
      targetId: target.id,
      round,
      wrk,
      proxyCpuMicros,
      proxyCpuMicrosPerRequest: proxyCpuMicros === undefined ? undefined : perRequest(proxyCpuMicros, wrk.requests),
      originCpuMicros,
      originCpuMicrosPerRequest: perRequest(originCpuMicros, wrk.requests),
      faultArguments: endpoint.faultArguments,
      loadAverage1m: loadavg()[0],
      outsideCpuMicros,
      outsideCpuShare: outsideCpuMicros / (wrk.durationSeconds * 1_000_000 * availableParallelism()),
    };
  } catch (error) {
    await endpoint.close();
    throw error;
  }
  const closeProblem = await endpoint.close();
  return { ...measured, problems: problemsOf(measured.wrk, closeProblem) };
}

function perRequest(cpuMicros: number, requests: number): number {
  return requests > 0 ? cpuMicros / requests : Number.NaN;
}

function problemsOf(wrk: WrkResult, closeProblem: string | undefined): string[] {
  const problems: string[] = [];
  if (wrk.socketErrors > 0) problems.push(`${wrk.socketErrors} socket errors`);
  if (wrk.non2xxResponses > 0) problems.push(`${wrk.non2xxResponses} non-2xx responses`);
  if (closeProblem !== undefined) problems.push(`unclean stop: ${closeProblem}`);
  return problems;
}
