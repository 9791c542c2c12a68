// The CI gate's short micro suite: each case is timed next to a baseline in the same process,
// alternating between them, and only their ratio is reported.
import { performance } from 'node:perf_hooks';
import { forwardHeaders } from '../../src/proxy/http-headers';
import { TimerWheel } from '../../src/time/timer-wheel';
import { BROWSER_REQUEST } from '../micro/http-headers.bench';
import { pumpPusher } from '../micro/pump.bench';

export interface MicroRatios {
  /** Timer wheel schedule+cancel ops/s divided by setTimeout+clearTimeout ops/s (10k pending). */
  timerWheelVsSetTimeout: number;
  /** Pump push with 3 pass-through stages, ops/s divided by the same with no stage. */
  pump3StagesVs0: number;
  /** forwardHeaders on a 14-field request, ops/s divided by copying that list. */
  forwardHeadersVsCopy: number;
  /** Timer wheel lateness p50 in ms, 2000 delays over 100 ms (must never be early). */
  timerLatenessP50Ms: number;
  timerEarly: number;
}

/** ops/s of `fn`, measured over ~`ms` of wall time in batches of `batch`. */
function opsPerSecond(fn: () => void, ms: number, batch = 1000): number {
  let ops = 0;
  const started = performance.now();
  let now = started;
  while (now - started < ms) {
    for (let i = 0; i < batch; i++) fn();
    ops += batch;
    now = performance.now();
  }
  return (ops * 1000) / (now - started);
}

/** Median over `rounds` of (a ops/s / b ops/s), measuring a and b alternately (order swapped each round). */
function ratioOf(a: () => void, b: () => void, rounds = 7, ms = 150): number {
  opsPerSecond(a, 100);
  opsPerSecond(b, 100);
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
    const x = opsPerSecond(first, ms);
    const y = opsPerSecond(second, ms);
    ratios.push(round % 2 === 0 ? x / y : y / x);
  }
  ratios.sort((p, q) => p - q);
  return ratios[Math.floor(ratios.length / 2)];
}

function noop(): void {}

function lateness(count: number, spreadMs: number): Promise<{ p50: number; early: number }> {
  const wheel = new TimerWheel();
  const late = new Float64Array(count);
  let fired = 0;
  return new Promise((resolve) => {
    const start = performance.now() + 20;
    for (let i = 0; i < count; i++) {
      const dueAt = start + Math.random() * spreadMs;
      wheel.scheduleAt(dueAt, () => {
        late[i] = performance.now() - dueAt;
        if (++fired === count) {
          wheel.close();
          const sorted = late.sort();
          resolve({ p50: sorted[Math.floor(count / 2)], early: sorted.filter((v) => v < 0).length });
        }
      });
    }
  });
}

export async function runCiMicro(): Promise<MicroRatios> {
  // Timer wheel vs setTimeout, 10k others pending in each.
  const frozen = performance.now();
  const wheel = new TimerWheel({ now: () => (performance.now(), frozen) });
  for (let i = 0; i < 10_000; i++) wheel.schedule(10 + Math.random() * 200, noop);
  const background = Array.from({ length: 10_000 }, () => setTimeout(noop, 600_000 + Math.random() * 200));
  const timerWheelVsSetTimeout = ratioOf(
    () => wheel.schedule(10 + Math.random() * 200, noop).cancel(),
    () => clearTimeout(setTimeout(noop, 10 + Math.random() * 200)),
  );
  wheel.close();
  for (const timeout of background) clearTimeout(timeout);

  const pumpWheel = new TimerWheel();
  const pump3StagesVs0 = ratioOf(pumpPusher(3, pumpWheel).push, pumpPusher(0, pumpWheel).push);
  pumpWheel.close();

  let sink = 0;
  const forwardHeadersVsCopy = ratioOf(
    () => (sink += forwardHeaders(BROWSER_REQUEST, { host: 'api.example.test:8080' }).length),
    () => (sink += BROWSER_REQUEST.slice().length),
  );
  if (sink === 0) throw new Error('unreachable');

  await lateness(500, 20); // warm-up
  const late = await lateness(2000, 100);
  return { timerWheelVsSetTimeout, pump3StagesVs0, forwardHeadersVsCopy, timerLatenessP50Ms: late.p50, timerEarly: late.early };
}
