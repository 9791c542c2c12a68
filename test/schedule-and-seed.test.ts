// Schedules switch faults on and off at the right moments, and --seed makes the injected
// delays reproducible.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type FaultProcess, startFault } from './support/fault-process';
import { startHttpOrigin } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function timedGet(proxyPort: number, originPort: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: proxyPort, path: `http://127.0.0.1:${originPort}/`, agent: false },
      (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - started));
      },
    );
    req.on('error', reject);
  });
}

describe('schedules', () => {
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  before(async () => {
    origin = await startHttpOrigin((_req, res) => res.end('ok'));
  });
  after(() => origin.close());

  it('a window switches the fault on and off within ±100 ms', async () => {
    const fault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '2', '--upstream', '*',
      '--with-latency', '--latency-mean', '150', '--latency-stddev', '0',
      '--latency-sched', 'start:1s,duration:1s',
    ]);
    // The schedule's clock starts just before the prelude is printed.
    const t0 = performance.now();
    try {
      const samples: Array<{ sentAt: number; delayed: boolean }> = [];
      const pending: Array<Promise<void>> = [];
      while (performance.now() - t0 < 2600) {
        const sentAt = performance.now() - t0;
        pending.push(timedGet(fault.proxyPort!, origin.port).then((ms) => void samples.push({ sentAt, delayed: ms >= 120 })));
        await sleep(20);
      }
      await Promise.all(pending);
      samples.sort((a, b) => a.sentAt - b.sentAt);
      const delayed = samples.filter((s) => s.delayed);
      assert.ok(delayed.length > 0, 'some requests fell in the window');
      const first = delayed[0].sentAt;
      const last = delayed[delayed.length - 1].sentAt;
      assert.ok(Math.abs(first - 1000) <= 100, `fault switched on at ${first.toFixed(0)} ms`);
      assert.ok(Math.abs(last - 2000) <= 100, `fault switched off at ${last.toFixed(0)} ms`);
      // Inside the window every request is delayed, outside none is.
      const inside = samples.filter((s) => s.sentAt > 1100 && s.sentAt < 1900);
      const outside = samples.filter((s) => s.sentAt < 900 || s.sentAt > 2100);
      assert.ok(inside.every((s) => s.delayed), 'all requests inside the window were delayed');
      assert.ok(outside.every((s) => !s.delayed), 'no request outside the window was delayed');
    } finally {
      await fault.stop();
    }
  });
});

describe('--seed', () => {
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  before(async () => {
    origin = await startHttpOrigin((_req, res) => res.end('ok'));
  });
  after(() => origin.close());

  async function delaysWithSeed(seed: string): Promise<number[]> {
    const fault: FaultProcess = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*', '--seed', seed,
      '--with-latency', '--latency-distribution', 'uniform', '--latency-min', '0', '--latency-max', '400',
    ]);
    try {
      const durations: number[] = [];
      for (let i = 0; i < 8; i++) durations.push(await timedGet(fault.proxyPort!, origin.port));
      return durations;
    } finally {
      await fault.stop();
    }
  }

  it('the same seed gives the same sequence of injected delays in two runs', async () => {
    const first = await delaysWithSeed('42');
    const second = await delaysWithSeed('42');
    const other = await delaysWithSeed('43');
    first.forEach((ms, i) => assert.ok(Math.abs(ms - second[i]) < 30, `request ${i}: ${ms} vs ${second[i]} ms`));
    const differing = first.filter((ms, i) => Math.abs(ms - other[i]) > 30).length;
    assert.ok(differing >= 4, `another seed gives other delays: ${first} vs ${other}`);
  });
});
