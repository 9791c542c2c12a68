// `npm run bench:ci`: the performance gate CI runs after the tests (about 2-3 minutes).
//
// 1. A short micro suite (ratios against in-process baselines).
// 2. A short load comparison with the bench/load harness: direct, an origin that waits 100 ms
//    itself (the timer floor), haproxy (tcp, 1 thread), fault TCP mapping 2w, fault HTTP forward
//    2w, and fault TCP mapping 2w with 100 ms per read/write, in interleaved rotated rounds.
// 3. Every check is a ratio against a baseline measured in the same run (or, for latency, the
//    error over direct + injected delay), judged against bench/floors.json. A failing check is
//    measured again once (fresh rounds of just the targets it needs) and only fails the gate if it
//    fails again. Exit 0 = pass, 1 = clear regression, 2 = the gate itself could not run.
//
// Flags: --floors <file> (default bench/floors.json), --out <file> (default
// bench/results/ci-latest.json), --no-retry, --rounds <n> (default 3), --duration <s> (default 2).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { clockTicksPerSecond } from '../load/cpu';
import type { Fixtures } from '../load/endpoints';
import { haproxyVersion, startHaproxy } from '../load/haproxy';
import { type Measurement, measureTarget } from '../load/measure';
import type { LoadBenchOptions } from '../load/options';
import { startOrigin } from '../load/origin';
import { findFreePort } from '../load/ports';
import { REPO_ROOT } from '../load/repo-paths';
import { describeEnvironment } from '../load/results-file';
import { exitAfterStoppingChildren, guardAgainstOrphans } from '../load/shutdown';
import { median, summarise, type TargetSummary } from '../load/summary';
import { benchmarkTargets, type Target } from '../load/targets';
import { writeForwardProxyScript, wrkVersion } from '../load/wrk';
import { type CheckResult, fmt, type FloorsFile, judge, parseFloors } from './judge';
import { type MicroRatios, runCiMicro } from './micro';

const LOAD_TARGET_IDS = ['direct', 'timer-floor', 'haproxy', 'fault-tcp-w2', 'fault-http-w2', 'fault-tcp-w2-latency'];

/** How each load check is computed from the summary rows, and which targets it needs. */
const LOAD_CHECKS: Record<string, { targets: string[]; value: (rows: Map<string, TargetSummary>) => number }> = {
  'tcp-w2-rps-vs-haproxy': { targets: ['haproxy', 'fault-tcp-w2'], value: (r) => r.get('fault-tcp-w2')!.vsHaproxy.requestsPerSecond },
  'http-w2-rps-vs-haproxy': { targets: ['haproxy', 'fault-http-w2'], value: (r) => r.get('fault-http-w2')!.vsHaproxy.requestsPerSecond },
  'tcp-w2-cpu-vs-haproxy': { targets: ['haproxy', 'fault-tcp-w2'], value: (r) => r.get('fault-tcp-w2')!.vsHaproxy.proxyCpuPerRequest ?? Number.NaN },
  'http-w2-cpu-vs-haproxy': { targets: ['haproxy', 'fault-http-w2'], value: (r) => r.get('fault-http-w2')!.vsHaproxy.proxyCpuPerRequest ?? Number.NaN },
  'latency-100ms-p50-error-ms': {
    targets: ['direct', 'fault-tcp-w2-latency'],
    value: (r) => r.get('fault-tcp-w2-latency')!.latencyErrorMs?.p50 ?? Number.NaN,
  },
  // The p99 tail of a 100 ms timer on a shared 2-core VM is several ms with no proxy at all:
  // judged against an origin that waits 100 ms itself, measured side by side.
  'latency-100ms-p99-over-timer-floor-ms': {
    targets: ['timer-floor', 'fault-tcp-w2-latency'],
    value: (r) => r.get('fault-tcp-w2-latency')!.overTimerFloorMs?.p99 ?? Number.NaN,
  },
};

const MICRO_CHECKS: Record<string, (m: MicroRatios) => number> = {
  'micro-timer-wheel-vs-settimeout': (m) => m.timerWheelVsSetTimeout,
  'micro-pump-3-stages-vs-0': (m) => m.pump3StagesVs0,
  'micro-forward-headers-vs-copy': (m) => m.forwardHeadersVsCopy,
  'micro-timer-lateness-p50-ms': (m) => m.timerLatenessP50Ms,
  'micro-timer-early-count': (m) => m.timerEarly,
};

interface GateFlags {
  floorsFile: string;
  outFile: string;
  retry: boolean;
  rounds: number;
  duration: number;
}

function flags(argv: readonly string[]): GateFlags {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      floors: { type: 'string' },
      out: { type: 'string' },
      'no-retry': { type: 'boolean' },
      rounds: { type: 'string' },
      duration: { type: 'string' },
    },
    strict: true,
  });
  return {
    floorsFile: values.floors ?? join(REPO_ROOT, 'bench', 'floors.json'),
    outFile: values.out ?? join(REPO_ROOT, 'bench', 'results', 'ci-latest.json'),
    retry: !values['no-retry'],
    rounds: Number(values.rounds ?? 3),
    duration: Number(values.duration ?? 2),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const started = Date.now();
  const gate = flags(argv);
  const floors: FloorsFile = parseFloors(readFileSync(gate.floorsFile, 'utf8'));
  const environment = describeEnvironment({ haproxy: haproxyVersion(), wrk: wrkVersion() }, clockTicksPerSecond());

  progress('micro suite ...');
  let micro = await runCiMicro();
  let microResults = judgeMicro(floors, micro);
  if (gate.retry && microResults.some((r) => !r.passed)) {
    progress(`micro: ${microResults.filter((r) => !r.passed).map((r) => r.id).join(', ')} failed; measuring again once`);
    micro = await runCiMicro();
    microResults = judgeMicro(floors, micro);
  }

  const tempDir = mkdtempSync(join(tmpdir(), 'fault-bench-ci-'));
  guardAgainstOrphans(() => rmSync(tempDir, { recursive: true, force: true }));
  const origin = await startOrigin();
  const haproxyPort = await findFreePort();
  const fixtures: Fixtures = {
    origin,
    haproxy: await startHaproxy(tempDir, haproxyPort, origin.port),
    forwardProxyScript: writeForwardProxyScript(tempDir, origin.port),
  };
  const options: LoadBenchOptions = {
    suite: 'proxies',
    durationSeconds: gate.duration,
    warmupSeconds: 1,
    connections: 50,
    wrkThreads: 1,
    rounds: gate.rounds,
    latencyMs: 100,
    quick: true,
    outFile: gate.outFile,
  };
  const allTargets = benchmarkTargets(options.latencyMs).filter((t) => LOAD_TARGET_IDS.includes(t.id));
  progress(`load: ${allTargets.length} targets x ${options.rounds} rounds x ${options.durationSeconds} s (+1 s warm-up each)`);
  const measurements = await measureRounds(allTargets, fixtures, options);
  let rows = rowsOf(summarise(allTargets, measurements));
  let loadResults = judgeLoad(floors, rows);
  const firstAttempt = loadResults;
  let retryMeasurements: Measurement[] = [];

  const failing = loadResults.filter((r) => !r.passed);
  if (gate.retry && failing.length > 0) {
    const needed = new Set(failing.flatMap((r) => LOAD_CHECKS[r.id].targets));
    // Latency and CPU ratios need their baselines measured again too, side by side.
    const retryTargets = allTargets.filter((t) => needed.has(t.id));
    progress(`load: ${failing.map((r) => r.id).join(', ')} failed; measuring ${retryTargets.map((t) => t.id).join(', ')} again once`);
    // Keeps the whole gate within its 3 minutes: a late retry gets 2 rounds (the mean of two).
    const retryRounds = (Date.now() - started) / 1000 > 90 ? Math.min(2, options.rounds) : options.rounds;
    retryMeasurements = await measureRounds(retryTargets, fixtures, { ...options, rounds: retryRounds });
    const retryRows = rowsOf(summarise(retryTargets, retryMeasurements));
    // A check that failed is judged again on the fresh rounds alone; the rest keep their result.
    loadResults = loadResults.map((r) => (r.passed ? r : judge(r.id, floors.checks[r.id], LOAD_CHECKS[r.id].value(retryRows))));
    rows = new Map([...rows, ...retryRows]);
  }

  const results = [...microResults, ...loadResults];
  const passed = results.every((r) => r.passed);
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`${report(micro, rows, measurements.concat(retryMeasurements), results, firstAttempt)}\n`);
  process.stdout.write(
    passed
      ? `\nPASS: every ratio is within its recorded floor/ceiling (${seconds.toFixed(0)} s).\n`
      : `\nFAIL: ${results.filter((r) => !r.passed).map((r) => r.id).join(', ')} regressed beyond the tolerance, twice in a row (${seconds.toFixed(0)} s).\n` +
          'If the machine was busy (see "outside"), rerun; if the change is intended, update bench/floors.json.\n',
  );
  mkdirSync(dirname(gate.outFile), { recursive: true });
  // NaN has no JSON form and becomes null.
  const record = {
    benchmark: 'ci-gate',
    passed,
    seconds,
    environment,
    floors: floors.checks,
    micro,
    results,
    firstAttempt,
    summary: [...rows.values()],
    measurements: measurements.concat(retryMeasurements),
  };
  writeFileSync(gate.outFile, `${JSON.stringify(record, null, 2)}\n`);
  return passed ? 0 : 1;
}

function judgeMicro(floors: FloorsFile, micro: MicroRatios): CheckResult[] {
  return Object.entries(MICRO_CHECKS).flatMap(([id, value]) => (floors.checks[id] ? [judge(id, floors.checks[id], value(micro))] : []));
}

function judgeLoad(floors: FloorsFile, rows: Map<string, TargetSummary>): CheckResult[] {
  return Object.entries(LOAD_CHECKS).flatMap(([id, check]) => (floors.checks[id] ? [judge(id, floors.checks[id], check.value(rows))] : []));
}

function rowsOf(summary: TargetSummary[]): Map<string, TargetSummary> {
  return new Map(summary.map((row) => [row.targetId, row]));
}

async function measureRounds(targets: readonly Target[], fixtures: Fixtures, options: LoadBenchOptions): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    const offset = (round - 1) % targets.length;
    for (const target of [...targets.slice(offset), ...targets.slice(0, offset)]) {
      const m = await measureTarget(target, round, fixtures, options);
      const cpu = m.proxyCpuMicrosPerRequest === undefined ? '' : `, ${m.proxyCpuMicrosPerRequest.toFixed(1)} us/req`;
      progress(
        `  round ${round} ${target.id.padEnd(22)} ${m.wrk.requestsPerSecond.toFixed(0).padStart(6)} req/s, p50 ${m.wrk.latencyMs.p50.toFixed(2)} ms${cpu}, outside ${(m.outsideCpuShare * 100).toFixed(0)}%${m.problems.length ? ` (${m.problems.join('; ')})` : ''}`,
      );
      measurements.push(m);
    }
  }
  return measurements;
}

function report(micro: MicroRatios, rows: Map<string, TargetSummary>, measurements: Measurement[], results: CheckResult[], first: CheckResult[]): string {
  const lines: string[] = ['', 'bench:ci  (ratios against baselines measured side by side in this run)', ''];
  lines.push('load (medians over rounds; a retried target shows its retry)');
  lines.push('target                           req/s  spread  vs haproxy  CPU us/req  vs haproxy  p50 ms   p99 ms  outside');
  for (const row of rows.values()) {
    const outside = median(measurements.filter((m) => m.targetId === row.targetId).map((m) => m.outsideCpuShare));
    lines.push(
      `${row.targetId.padEnd(30)} ${row.requestsPerSecond.toFixed(0).padStart(7)} ${(row.requestsPerSecondSpread * 100).toFixed(0).padStart(6)}% ` +
        `${fmt(row.vsHaproxy.requestsPerSecond).padStart(10)} ${(row.proxyCpuMicrosPerRequest?.toFixed(1) ?? '-').padStart(11)} ` +
        `${(row.vsHaproxy.proxyCpuPerRequest === undefined ? '-' : fmt(row.vsHaproxy.proxyCpuPerRequest)).padStart(11)} ` +
        `${row.latencyP50Ms.toFixed(2).padStart(7)} ${row.latencyP99Ms.toFixed(2).padStart(8)} ${(outside * 100).toFixed(0).padStart(7)}%`,
    );
  }
  const noisy = measurements.filter((m) => m.outsideCpuShare > 0.1).length;
  lines.push(`noise: ${noisy} of ${measurements.length} measurements had more than 10 % of the machine used by other processes (outside)`);
  lines.push('');
  lines.push(
    `micro: timer wheel/setTimeout ${fmt(micro.timerWheelVsSetTimeout)}x, pump 3 stages/0 ${fmt(micro.pump3StagesVs0)}x, ` +
      `forwardHeaders/copy ${fmt(micro.forwardHeadersVsCopy)}x, timer lateness p50 ${fmt(micro.timerLatenessP50Ms)} ms (${micro.timerEarly} early)`,
  );
  lines.push('');
  for (const r of results) {
    const before = first.find((f) => f.id === r.id);
    const retried = before !== undefined && !before.passed ? `  [retried; first attempt: ${before.reason}]` : '';
    lines.push(`${r.passed ? 'ok  ' : 'FAIL'} ${r.id.padEnd(34)} ${r.reason}  - ${r.what}${retried}`);
  }
  return lines.join('\n');
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

main(process.argv.slice(2)).then(
  (code) => exitAfterStoppingChildren(code),
  (error: unknown) => {
    process.stderr.write(`bench:ci could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitAfterStoppingChildren(2);
  },
);
