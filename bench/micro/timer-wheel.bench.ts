// The shard's timer wheel against one setTimeout per delay:
//  1. cost of scheduling + cancelling one delay while 10k / 100k others are pending (benny);
//  2. lateness of N delays spread over 200 ms on the real clock (a timed harness: benny only
//     measures throughput).
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { add, complete, cycle, save, suite } from 'benny';
import { TimerWheel } from '../../src/time/timer-wheel';

const POPULATIONS = [10_000, 100_000];
/** Per-case time limit: keeps the whole micro run within its one-minute budget. */
const CASE_OPTIONS = { maxTime: 1, minSamples: 10 };
const SPREAD_MS = 200;
const LATENESS_COUNTS = [10_000, 100_000];
/**
 * Due times start this long after scheduling begins: scheduling 100k delays takes tens of ms,
 * and a delay due before the loop that schedules it ends measures that loop, not the timers.
 */
const LATENESS_LEAD_MS = 250;

function randomDelay(): number {
  return 10 + Math.random() * SPREAD_MS;
}

/**
 * A wheel whose clock is read for real (same cost as performance.now) but stands still, so that
 * its background population never fires while benny measures.
 */
function frozenClockWheel(): TimerWheel {
  const frozenAt = performance.now();
  return new TimerWheel({
    now: () => (performance.now(), frozenAt),
  });
}

async function benchScheduleCancel(population: number, resultsFolder: string): Promise<void> {
  const wheel = frozenClockWheel();
  for (let i = 0; i < population; i++) wheel.schedule(randomDelay(), noop);
  // Far enough out never to fire during the run; fractional durations, like injected delays.
  const background = Array.from({ length: population }, () => setTimeout(noop, 600_000 + Math.random() * SPREAD_MS));

  await suite(
    `timer: schedule + cancel one delay, ${population} pending`,
    add('timer wheel', () => wheel.schedule(randomDelay(), noop).cancel(), CASE_OPTIONS),
    add('setTimeout', () => clearTimeout(setTimeout(noop, randomDelay())), CASE_OPTIONS),
    cycle(),
    complete(),
    save({ file: `micro-timer-schedule-cancel-${population / 1000}k`, folder: resultsFolder, format: 'json' }),
  );

  wheel.close();
  for (const timeout of background) clearTimeout(timeout);
}

function noop(): void {}

type Implementation = 'timer wheel' | 'timer wheel (hybrid)' | 'timer wheel (yield)' | 'setTimeout';

interface LatenessResult {
  implementation: Implementation;
  delays: number;
  spreadMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Negative lateness = fired early; the wheel never should. */
  minMs: number;
  early: number;
  cpuMs: number;
}

/** Schedules `count` due times spread uniformly over `spreadMs` and measures how late each fires. */
function measureLateness(implementation: Implementation, count: number, spreadMs: number): Promise<LatenessResult> {
  // The sub-ms wait policies of the wheel side by side: 'timer wheel' is the default (block).
  const subMsWait = implementation === 'timer wheel (hybrid)' ? 'hybrid' : implementation === 'timer wheel (yield)' ? 'yield' : 'block';
  const wheel = new TimerWheel({ subMsWait });
  const lateness = new Float64Array(count);
  let fired = 0;
  const cpuBefore = process.cpuUsage();
  return new Promise((resolve) => {
    const finish = () => {
      const cpu = process.cpuUsage(cpuBefore);
      wheel.close();
      const sorted = lateness.sort();
      const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))];
      resolve({
        implementation,
        delays: count,
        spreadMs,
        p50Ms: at(0.5),
        p90Ms: at(0.9),
        p99Ms: at(0.99),
        maxMs: sorted[count - 1],
        minMs: sorted[0],
        early: sorted.filter((value) => value < 0).length,
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
    };
    const firstDueAt = performance.now() + LATENESS_LEAD_MS;
    for (let i = 0; i < count; i++) {
      const dueAt = firstDueAt + Math.random() * spreadMs;
      const onFire = () => {
        lateness[i] = performance.now() - dueAt;
        if (++fired === count) finish();
      };
      if (implementation === 'setTimeout') setTimeout(onFire, dueAt - performance.now());
      else wheel.scheduleAt(dueAt, onFire);
    }
  });
}

function formatMs(value: number): string {
  return value.toFixed(3).padStart(8);
}

async function benchLateness(resultsFolder: string): Promise<void> {
  // Warm both paths up so that the JIT is not what gets measured.
  await measureLateness('timer wheel', 5000, 20);
  await measureLateness('setTimeout', 5000, 20);

  const results: LatenessResult[] = [];
  for (const count of LATENESS_COUNTS) {
    for (const implementation of ['timer wheel', 'timer wheel (hybrid)', 'timer wheel (yield)', 'setTimeout'] as const) {
      results.push(await measureLateness(implementation, count, SPREAD_MS));
    }
  }

  console.log(`\ntimer lateness: due times spread uniformly over ${SPREAD_MS} ms (ms; negative = early)`);
  console.log('implementation         delays      p50      p90      p99      max      min  early   cpu ms');
  for (const r of results) {
    console.log(
      `${r.implementation.padEnd(20)} ${String(r.delays).padStart(8)} ${formatMs(r.p50Ms)} ${formatMs(r.p90Ms)} ${formatMs(r.p99Ms)} ` +
        `${formatMs(r.maxMs)} ${formatMs(r.minMs)} ${String(r.early).padStart(6)} ${r.cpuMs.toFixed(0).padStart(8)}`,
    );
  }
  mkdirSync(resultsFolder, { recursive: true });
  const file = join(resultsFolder, 'micro-timer-lateness.json');
  writeFileSync(file, `${JSON.stringify({ name: 'timer lateness', date: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
  console.log(`Saved to: ${file}`);
}

/** Every timer micro-benchmark; results land in `resultsFolder`. */
export async function runTimerWheelBenchmarks(resultsFolder: string): Promise<void> {
  for (const population of POPULATIONS) await benchScheduleCancel(population, resultsFolder);
  await benchLateness(resultsFolder);
}
