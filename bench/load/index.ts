// `npm run bench:load`: fault side by side with haproxy and a direct connection, under wrk
// (suite 'proxies'), and/or what each fault costs against no fault (suite 'faults').
// Starts the origin (and haproxy, for the proxies suite) once, then measures every target of a
// suite in interleaved rounds (a fresh fault process per measurement), prints the tables and
// saves the JSON record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clockTicksPerSecond } from './cpu';
import type { Fixtures } from './endpoints';
import { formatFaultCostReport } from './fault-cost-report';
import { summariseFaultCost } from './fault-cost-summary';
import { faultCostCases, faultCostSchedule } from './fault-cost-targets';
import { haproxyVersion, haproxyConfig, startHaproxy } from './haproxy';
import { type Measurement, measureTarget } from './measure';
import { type LoadBenchOptions, OptionsError, parseOptions, USAGE } from './options';
import { startOrigin } from './origin';
import { findFreePort } from './ports';
import { formatReport } from './report';
import { describeEnvironment, loadAverageNow, type ResultsDocument, type RunEnvironment, writeResults } from './results-file';
import { exitAfterStoppingChildren, guardAgainstOrphans } from './shutdown';
import { summarise } from './summary';
import { benchmarkTargets, type Target } from './targets';
import { writeForwardProxyScript, wrkVersion } from './wrk';

// Process start, port wait, readiness probe and SIGTERM drain of one measurement, roughly.
const PER_MEASUREMENT_OVERHEAD_SECONDS = 1;

async function main(argv: readonly string[]): Promise<number> {
  let options: LoadBenchOptions | undefined;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }

  const environment = checkPrerequisites();
  const tempDir = mkdtempSync(join(tmpdir(), 'fault-load-bench-'));
  guardAgainstOrphans(() => rmSync(tempDir, { recursive: true, force: true }));

  const startedAt = new Date();
  const suites: Array<'proxies' | 'faults'> = options.suite === 'all' ? ['proxies', 'faults'] : [options.suite];
  const proxyTargets = suites.includes('proxies') ? benchmarkTargets(options.latencyMs) : [];
  const costCases = suites.includes('faults') ? faultCostCases() : [];
  const costTargets = faultCostSchedule(costCases);
  const targetCount = proxyTargets.length + costTargets.length;
  const estimate = targetCount * options.rounds * (options.durationSeconds + options.warmupSeconds + PER_MEASUREMENT_OVERHEAD_SECONDS);
  progress(
    `${suites.join(' + ')}: ${targetCount} targets x ${options.rounds} rounds, about ${estimate < 120 ? `${estimate} s` : `${Math.ceil(estimate / 60)} min`}`,
  );

  const origin = await startOrigin();
  // haproxy is only a reference of the proxies suite.
  const haproxyPort = proxyTargets.length > 0 ? await findFreePort() : undefined;
  const fixtures: Fixtures = {
    origin,
    haproxy: haproxyPort === undefined ? undefined : await startHaproxy(tempDir, haproxyPort, origin.port),
    forwardProxyScript: writeForwardProxyScript(tempDir, origin.port),
  };
  const cpuTickMicros = 1_000_000 / environment.clockTicksPerSecond;
  const reports: string[] = [];
  const record: Partial<ResultsDocument> = {};

  if (proxyTargets.length > 0 && haproxyPort !== undefined) {
    const measurements = await measureRounds('proxies', proxyTargets, fixtures, options);
    const summary = summarise(proxyTargets, measurements);
    reports.push(formatReport(summary, options, cpuTickMicros));
    Object.assign(record, { haproxyConfig: haproxyConfig(haproxyPort, origin.port), targets: proxyTargets, summary, measurements });
  }
  if (costTargets.length > 0) {
    const measurements = await measureRounds('faults', costTargets, fixtures, options);
    const summary = summariseFaultCost(costCases, measurements);
    reports.push(formatFaultCostReport(summary, measurements, options, cpuTickMicros));
    record.faultCost = { cases: costCases, summary, measurements };
  }

  process.stdout.write(`\n${reports.join('\n\n\n')}\n`);
  writeResults(options.outFile, {
    benchmark: 'load',
    suites,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    environment: { ...environment, loadAverageAtEnd: loadAverageNow() },
    settings: settingsOf(options),
    ...record,
  });
  process.stdout.write(`\nResults saved to ${options.outFile}\n`);
  return 0;
}

/** Every target once per round, each round starting one target further along (see rotate). */
async function measureRounds(suite: string, targets: readonly Target[], fixtures: Fixtures, options: LoadBenchOptions): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  const labelWidth = Math.max(...targets.map((target) => target.label.length));
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const target of rotate(targets, round - 1)) {
      const measurement = await measureTarget(target, round, fixtures, options);
      progress(`${suite} round ${round}/${options.rounds}  ${target.label.padEnd(labelWidth)} ${describe(measurement)}`);
      measurements.push(measurement);
    }
  }
  return measurements;
}

/** Fails with an install hint when haproxy or wrk is missing; otherwise records versions. */
function checkPrerequisites(): RunEnvironment {
  try {
    return describeEnvironment({ haproxy: haproxyVersion(), wrk: wrkVersion() }, clockTicksPerSecond());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('haproxy and wrk are needed: apt-get install -y haproxy wrk');
    }
    throw error;
  }
}

/**
 * Each round starts one target further along, so no target always runs first (cold machine)
 * or right after the same neighbour.
 */
function rotate(targets: readonly Target[], by: number): Target[] {
  const offset = by % targets.length;
  return [...targets.slice(offset), ...targets.slice(0, offset)];
}

function describe(measurement: Measurement): string {
  const { wrk } = measurement;
  const cpu = measurement.proxyCpuMicrosPerRequest === undefined ? '' : `, proxy ${measurement.proxyCpuMicrosPerRequest.toFixed(1)} us/req`;
  const outside = `, outside ${(measurement.outsideCpuShare * 100).toFixed(0)}%`;
  const problems = measurement.problems.length > 0 ? `  (${measurement.problems.join('; ')})` : '';
  return `${wrk.requestsPerSecond.toFixed(0).padStart(7)} req/s, p50 ${wrk.latencyMs.p50.toFixed(2)} ms, p99 ${wrk.latencyMs.p99.toFixed(2)} ms${cpu}${outside}${problems}`;
}

function settingsOf(options: LoadBenchOptions): Omit<LoadBenchOptions, 'outFile'> {
  const { outFile: _outFile, ...settings } = options;
  return settings;
}

/** Progress goes to stderr, so that stdout holds only the report. */
function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => exitAfterStoppingChildren(code),
  (error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitAfterStoppingChildren(1);
  },
);
