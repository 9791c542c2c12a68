// Folds the rounds of the fault-cost suite into one row per case: medians of the raw numbers,
// and the cost of the fault as (this case's median / its no-fault baseline's median). Ratios of
// medians rather than medians of per-round ratios: one disturbed baseline measurement would
// otherwise skew every ratio of its round, while here it is simply outvoted. The per-round
// ratios are kept in the record too, to see how much the rounds agree.
import type { FaultCostCase } from './fault-cost-targets';
import type { Measurement } from './measure';
import { median } from './summary';

export interface FaultCostRow {
  targetId: string;
  fault: string;
  setting: string;
  mode: FaultCostCase['mode'];
  baselineId?: string;
  /** Measurements taken (a baseline may be measured more than once per round). */
  measurements: number;
  requestsPerSecond: number;
  /** (max - min) / median of requests/s over the rounds. */
  requestsPerSecondSpread: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  proxyCpuMicrosPerRequest: number;
  originCpuMicrosPerRequest: number;
  /** Median share of the machine's CPU that other processes used during the measurements. */
  outsideCpuShare: number;
  /**
   * This case's medians / its baseline's medians: below 1 req/s means the fault costs
   * throughput, above 1 CPU means it costs CPU per request. 1 for a baseline.
   */
  vsNoFault: { requestsPerSecond: number; proxyCpuPerRequest: number };
  /** Each round: this case / the mean of its baseline's measurements in that round. */
  vsNoFaultPerRound: Array<{ round: number; requestsPerSecond: number; proxyCpuPerRequest: number }>;
  expectation?: string;
  problems: string[];
}

export function summariseFaultCost(cases: readonly FaultCostCase[], measurements: readonly Measurement[]): FaultCostRow[] {
  const medians = new Map(cases.map((entry) => [entry.id, mediansOf(measurements.filter((m) => m.targetId === entry.id))]));
  return cases.map((entry) => {
    const own = measurements.filter((m) => m.targetId === entry.id);
    const mine = medians.get(entry.id) as Medians;
    const base = entry.baselineId === undefined ? mine : medians.get(entry.baselineId);
    const rps = own.map((m) => m.wrk.requestsPerSecond);
    return {
      targetId: entry.id,
      fault: entry.fault,
      setting: entry.setting,
      mode: entry.mode,
      ...(entry.baselineId === undefined ? {} : { baselineId: entry.baselineId }),
      measurements: own.length,
      requestsPerSecond: mine.requestsPerSecond,
      requestsPerSecondSpread: own.length > 0 ? (Math.max(...rps) - Math.min(...rps)) / mine.requestsPerSecond : Number.NaN,
      latencyP50Ms: median(own.map((m) => m.wrk.latencyMs.p50)),
      latencyP99Ms: median(own.map((m) => m.wrk.latencyMs.p99)),
      proxyCpuMicrosPerRequest: mine.proxyCpuMicrosPerRequest,
      originCpuMicrosPerRequest: median(own.map((m) => m.originCpuMicrosPerRequest)),
      outsideCpuShare: median(own.map((m) => m.outsideCpuShare)),
      vsNoFault: {
        requestsPerSecond: ratio(mine.requestsPerSecond, base?.requestsPerSecond),
        proxyCpuPerRequest: ratio(mine.proxyCpuMicrosPerRequest, base?.proxyCpuMicrosPerRequest),
      },
      vsNoFaultPerRound: perRoundRatios(own, entry.baselineId === undefined ? own : measurements.filter((m) => m.targetId === entry.baselineId)),
      ...(entry.expectation === undefined ? {} : { expectation: entry.expectation }),
      problems: own.flatMap((m) => m.problems.map((problem) => `round ${m.round}: ${problem}`)),
    };
  });
}

interface Medians {
  requestsPerSecond: number;
  proxyCpuMicrosPerRequest: number;
}

function mediansOf(measurements: readonly Measurement[]): Medians {
  return {
    requestsPerSecond: median(measurements.map((m) => m.wrk.requestsPerSecond)),
    proxyCpuMicrosPerRequest: finiteMedian(measurements.map((m) => m.proxyCpuMicrosPerRequest ?? Number.NaN)),
  };
}

function perRoundRatios(own: readonly Measurement[], baseline: readonly Measurement[]): FaultCostRow['vsNoFaultPerRound'] {
  const rounds = [...new Set(own.map((m) => m.round))].sort((a, b) => a - b);
  return rounds.flatMap((round) => {
    const mine = own.filter((m) => m.round === round);
    const base = baseline.filter((m) => m.round === round);
    if (base.length === 0) return [];
    return [
      {
        round,
        requestsPerSecond: ratio(mean(mine.map((m) => m.wrk.requestsPerSecond)), mean(base.map((m) => m.wrk.requestsPerSecond))),
        proxyCpuPerRequest: ratio(
          mean(mine.map((m) => m.proxyCpuMicrosPerRequest ?? Number.NaN)),
          mean(base.map((m) => m.proxyCpuMicrosPerRequest ?? Number.NaN)),
        ),
      },
    ];
  });
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The median of the finite values (a round without requests has no per-request CPU). */
function finiteMedian(values: readonly number[]): number {
  return median(values.filter(Number.isFinite));
}

function ratio(value: number | undefined, reference: number | undefined): number {
  return value === undefined || reference === undefined || reference === 0 ? Number.NaN : value / reference;
}
