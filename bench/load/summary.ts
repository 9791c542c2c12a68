// Folds the rounds of each target into one row: the median of every metric, ratios against
// haproxy (and, for fault's HTTP forward rows, against the node:http forward proxy), and for the latency targets how far the measured latency is from the expected one.
import type { Measurement } from './measure';
import { comparedWithNodeHttp, DIRECT_ID, HAPROXY_ID, injectedLatencyMs, NODE_HTTP_ID, type Target, TIMER_FLOOR_ID } from './targets';

export interface TargetSummary {
  targetId: string;
  label: string;
  rounds: number;
  requestsPerSecond: number;
  /** (max - min) / median of requests/s over the rounds: how noisy this row is. */
  requestsPerSecondSpread: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  proxyCpuMicrosPerRequest?: number;
  originCpuMicrosPerRequest: number;
  /** This target divided by haproxy: above 1 means more requests/s, or more CPU per request. */
  vsHaproxy: Ratios;
  /**
   * Only on fault's full-load HTTP forward rows, when the node:http forward proxy was measured:
   * this row divided by it, i.e. fault against the ceiling of the modules it is built on.
   */
  vsNodeHttp?: Ratios;
  injectedLatencyMs?: number;
  /** Measured latency minus (direct latency + injected delay): what the proxy adds on top. */
  latencyErrorMs?: { p50: number; p99: number };
  /**
   * Measured latency minus the timer-floor row's (an origin that waits the same delay itself):
   * what the proxy adds beyond what a Node timer costs on this machine.
   */
  overTimerFloorMs?: { p50: number; p99: number };
  problems: string[];
}

export interface Ratios {
  requestsPerSecond: number;
  proxyCpuPerRequest?: number;
}

export function summarise(targets: readonly Target[], measurements: readonly Measurement[]): TargetSummary[] {
  const base = targets.map((target) => baseSummary(target, measurements.filter((m) => m.targetId === target.id)));
  const haproxy = base.find((row) => row.targetId === HAPROXY_ID);
  const direct = base.find((row) => row.targetId === DIRECT_ID);
  const timerFloor = base.find((row) => row.targetId === TIMER_FLOOR_ID);
  const nodeHttp = base.find((row) => row.targetId === NODE_HTTP_ID);
  return base.map((row, index) => {
    const injected = injectedLatencyMs(targets[index]);
    return {
      ...row,
      vsHaproxy: ratios(row, haproxy),
      vsNodeHttp: nodeHttp !== undefined && comparedWithNodeHttp(targets[index]) ? ratios(row, nodeHttp) : undefined,
      injectedLatencyMs: injected,
      latencyErrorMs:
        injected === undefined || direct === undefined
          ? undefined
          : { p50: latencyError(row.latencyP50Ms, direct.latencyP50Ms, injected), p99: latencyError(row.latencyP99Ms, direct.latencyP99Ms, injected) },
      overTimerFloorMs:
        injected === undefined || timerFloor === undefined
          ? undefined
          : { p50: latencyError(row.latencyP50Ms, timerFloor.latencyP50Ms, 0), p99: latencyError(row.latencyP99Ms, timerFloor.latencyP99Ms, 0) },
    };
  });
}

type BaseSummary = Omit<TargetSummary, 'vsHaproxy' | 'vsNodeHttp' | 'injectedLatencyMs' | 'latencyErrorMs' | 'overTimerFloorMs'>;

function ratios(row: BaseSummary, reference: BaseSummary | undefined): Ratios {
  return {
    requestsPerSecond: ratio(row.requestsPerSecond, reference?.requestsPerSecond),
    proxyCpuPerRequest:
      row.proxyCpuMicrosPerRequest === undefined ? undefined : ratio(row.proxyCpuMicrosPerRequest, reference?.proxyCpuMicrosPerRequest),
  };
}

function baseSummary(target: Target, rounds: readonly Measurement[]): BaseSummary {
  const rps = rounds.map((m) => m.wrk.requestsPerSecond);
  const proxyCpu = rounds.flatMap((m) => (m.proxyCpuMicrosPerRequest === undefined ? [] : [m.proxyCpuMicrosPerRequest]));
  const medianRps = median(rps);
  return {
    targetId: target.id,
    label: target.label,
    rounds: rounds.length,
    requestsPerSecond: medianRps,
    requestsPerSecondSpread: rounds.length > 0 ? (Math.max(...rps) - Math.min(...rps)) / medianRps : Number.NaN,
    latencyP50Ms: median(rounds.map((m) => m.wrk.latencyMs.p50)),
    latencyP99Ms: median(rounds.map((m) => m.wrk.latencyMs.p99)),
    proxyCpuMicrosPerRequest: proxyCpu.length > 0 ? median(proxyCpu) : undefined,
    originCpuMicrosPerRequest: median(rounds.map((m) => m.originCpuMicrosPerRequest)),
    problems: rounds.flatMap((m) => m.problems.map((problem) => `round ${m.round}: ${problem}`)),
  };
}

/** The middle value; with an even count, the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounded to whole microseconds, like the wrk numbers it comes from. */
function latencyError(measuredMs: number, directMs: number, injectedMs: number): number {
  return Math.round((measuredMs - (directMs + injectedMs)) * 1000) / 1000;
}

function ratio(value: number, reference: number | undefined): number {
  return reference === undefined || reference === 0 ? Number.NaN : value / reference;
}
