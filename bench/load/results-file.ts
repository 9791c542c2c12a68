// The JSON record of a run: where and how it ran, every raw measurement, and the summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { dirname } from 'node:path';
import type { FaultCostRow } from './fault-cost-summary';
import type { FaultCostCase } from './fault-cost-targets';
import type { Measurement } from './measure';
import type { LoadBenchOptions } from './options';
import type { TargetSummary } from './summary';
import type { Target } from './targets';

export interface RunEnvironment {
  node: string;
  haproxy: string;
  wrk: string;
  kernel: string;
  cpuModel: string;
  cpuCount: number;
  clockTicksPerSecond: number;
  /** 1/5/15-minute load averages when the run started: a busy machine explains odd numbers. */
  loadAverageAtStart: number[];
}

export interface ResultsDocument {
  benchmark: 'load';
  /** The suites that ran, in the order they ran. */
  suites: Array<'proxies' | 'faults'>;
  startedAt: string;
  finishedAt: string;
  environment: RunEnvironment & { loadAverageAtEnd: number[] };
  settings: Omit<LoadBenchOptions, 'outFile'>;
  // The proxies suite (absent when it did not run).
  haproxyConfig?: string;
  targets?: Target[];
  summary?: TargetSummary[];
  /** In the order they ran, so interleaving and drift can be checked. */
  measurements?: Measurement[];
  /** The fault-cost suite (absent when it did not run). */
  faultCost?: FaultCostRecord;
}

export interface FaultCostRecord {
  /** Every case with its exact fault flags and the baseline it is compared with. */
  cases: FaultCostCase[];
  summary: FaultCostRow[];
  /** In the order they ran. */
  measurements: Measurement[];
}

export function describeEnvironment(versions: { haproxy: string; wrk: string }, clockTicksPerSecond: number): RunEnvironment {
  const cores = cpus();
  return {
    node: process.version,
    haproxy: versions.haproxy,
    wrk: versions.wrk,
    kernel: release(),
    cpuModel: cores[0]?.model ?? 'unknown',
    cpuCount: cores.length,
    clockTicksPerSecond,
    loadAverageAtStart: loadavg(),
  };
}

export function writeResults(file: string, document: ResultsDocument): void {
  mkdirSync(dirname(file), { recursive: true });
  // NaN (e.g. a ratio without a reference) has no JSON form and becomes null.
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
}

export function loadAverageNow(): number[] {
  return loadavg();
}
