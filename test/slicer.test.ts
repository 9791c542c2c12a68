// The slicer fault: slicing on a fake clock, its flags, and many small delayed reads seen by a
// real client through the real CLI; probability 0 never slices.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import type { RunConfig, SlicerFaultSpec } from '../src/config/types';
import type { FlowStage, FlowUnit, StageContext } from '../src/faults/fault';
import { createRandom } from '../src/faults/random';
import { sliceSizeSampler, slicerFault } from '../src/faults/slicer';
import { TimerWheel } from '../src/time/timer-wheel';
import { type FaultProcess, startFault } from './support/fault-process';
import { listen } from './support/servers';

const BIN = resolve(__dirname, '../../bin/fault.js');

// ---------------------------------------------------------------------------------------------
// Stage logic on a fake clock
// ---------------------------------------------------------------------------------------------

interface Released {
  unit: FlowUnit;
  at: number;
}

function slicerStage(averageSize: number, sizeVariation: number, delayMs: number) {
  let applied = 0;
  const context: StageContext = {
    random: createRandom(42),
    wheel: new TimerWheel({ unref: true }),
    connection: { reset: () => undefined, close: () => undefined },
    applied: () => applied++,
  };
  const spec: SlicerFaultSpec = { kind: 'slicer', side: 'server', direction: 'ingress', averageSize, sizeVariation, delayMs, probability: 1 };
  const stage = slicerFault.createStage!(spec, 'toClient', context)!;
  const released: Released[] = [];
  const feed = (unit: FlowUnit, at: number) => stage.accept(unit, at, (out, outAt) => released.push({ unit: out, at: outAt }));
  return { stage: stage as FlowStage, released, feed, applied: () => applied };
}

const chunksOf = (released: Released[]) => released.flatMap((r) => (r.unit.type === 'data' ? [r.unit.chunk] : []));

describe('slicer stage (fake clock)', () => {
  it('cuts a chunk into slices of average ± variation, one delay apart, bytes intact', () => {
    const { released, feed, applied } = slicerStage(100, 20, 10);
    const chunk = randomBytes(4096);
    feed({ type: 'data', chunk }, 1000);
    const slices = chunksOf(released);
    assert.deepEqual(Buffer.concat(slices), chunk);
    assert.ok(slices.length >= 4096 / 120 && slices.length <= Math.ceil(4096 / 80), `${slices.length} slices`);
    // All but the last (the remainder) are within the range.
    for (const slice of slices.slice(0, -1)) assert.ok(slice.length >= 80 && slice.length <= 120, `slice of ${slice.length}`);
    released.forEach((r, i) => assert.equal(r.at, 1000 + i * 10));
    assert.equal(applied(), 1);
  });

  it('keeps the spacing across chunks, starts at once after a quiet spell, lets markers through', () => {
    const { released, feed } = slicerStage(10, 0, 5);
    feed({ type: 'data', chunk: Buffer.alloc(30) }, 0); // slices at 0, 5, 10
    feed({ type: 'data', chunk: Buffer.alloc(20) }, 2); // still busy: 15, 20
    feed({ type: 'marker', run: () => undefined }, 3);
    feed({ type: 'data', chunk: Buffer.alloc(10) }, 100); // quiet since 25: at once
    feed({ type: 'end' }, 101);
    assert.deepEqual(
      released.map((r) => [r.unit.type, r.at]),
      [['data', 0], ['data', 5], ['data', 10], ['data', 15], ['data', 20], ['marker', 3], ['data', 100], ['end', 101]],
    );
  });

  it('once deactivated, passes chunks whole', () => {
    const { stage, released, feed } = slicerStage(10, 0, 5);
    stage.deactivate!();
    feed({ type: 'data', chunk: Buffer.alloc(100) }, 7);
    assert.equal(released.length, 1);
    assert.equal(released[0].at, 7);
  });

  it('slice sizes cover the whole range, never below 1 byte', () => {
    const next = sliceSizeSampler(5, 4, createRandom(7));
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(next());
    assert.deepEqual([...seen].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

// ---------------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------------

function slicerSpecOf(config: RunConfig): SlicerFaultSpec {
  const spec = config.faults.find((f) => f.spec.kind === 'slicer')?.spec;
  assert.ok(spec && spec.kind === 'slicer');
  return spec;
}

describe('slicer flags', () => {
  it('defaults: 64 bytes, no variation, 10 ms apart, server ingress, every connection', () => {
    assert.deepEqual(slicerSpecOf(buildRunConfig(['--with-slicer'], {})), {
      kind: 'slicer',
      side: 'server',
      direction: 'ingress',
      averageSize: 64,
      sizeVariation: 0,
      delayMs: 10,
      probability: 1,
    });
  });
  it('the delay is milliseconds when bare, else a duration', () => {
    const delay = (text: string) => slicerSpecOf(buildRunConfig(['--with-slicer', '--slicer-delay', text], {})).delayMs;
    assert.equal(delay('15'), 15);
    assert.equal(delay('2.5'), 2.5);
    assert.equal(delay('0'), 0);
    assert.equal(delay('10ms'), 10);
    assert.equal(delay('1.5s'), 1500);
  });
  it('reads the FAULT_SLICER_* variables', () => {
    const spec = slicerSpecOf(
      buildRunConfig([], {
        FAULT_WITH_SLICER: '1',
        FAULT_SLICER_SIDE: 'client',
        FAULT_SLICER_DIRECTION: 'egress',
        FAULT_SLICER_AVERAGE_SIZE: '100',
        FAULT_SLICER_SIZE_VARIATION: '99',
        FAULT_SLICER_DELAY: '3ms',
        FAULT_SLICER_PROBABILITY: '0.25',
      }),
    );
    assert.deepEqual(spec, {
      kind: 'slicer',
      side: 'client',
      direction: 'egress',
      averageSize: 100,
      sizeVariation: 99,
      delayMs: 3,
      probability: 0.25,
    });
  });

  const failures: Array<[string, string[], Record<string, string>, string]> = [
    ['average size 0', ['--with-slicer', '--slicer-average-size', '0'], {}, '--slicer-average-size'],
    ['variation = average', ['--with-slicer', '--slicer-average-size', '10', '--slicer-size-variation', '10'], {}, '--slicer-size-variation'],
    ['variation from the environment', ['--with-slicer'], { FAULT_SLICER_SIZE_VARIATION: '64' }, 'FAULT_SLICER_SIZE_VARIATION'],
    ['negative delay', ['--with-slicer', '--slicer-delay', '-1'], {}, '--slicer-delay'],
    ['unknown delay unit', ['--with-slicer', '--slicer-delay', '10 parsecs'], {}, '--slicer-delay'],
    ['probability above 1', ['--with-slicer', '--slicer-probability', '1.5'], {}, '--slicer-probability'],
  ];
  for (const [name, args, env, flag] of failures) {
    it(`exits 2 naming the flag: ${name}`, () => {
      const { status, stderr } = spawnSync(process.execPath, [BIN, 'run', ...args], {
        env: { PATH: process.env.PATH ?? '', ...env },
        encoding: 'utf8',
        timeout: 15_000,
      });
      assert.equal(status, 2, stderr);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, new RegExp(`^error: ${flag}: `));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Real sockets through the CLI
// ---------------------------------------------------------------------------------------------

/** Sends `payload` in one write to whoever connects, then closes. */
async function startSource(payload: Buffer): Promise<net.Server> {
  const server = net.createServer({ noDelay: true }, (socket) => socket.end(payload));
  await listen(server);
  return server;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

async function read(port: number): Promise<{ bytes: Buffer; reads: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('end', () => resolvePromise({ bytes: Buffer.concat(chunks), reads: chunks.length, ms: performance.now() - started }));
    socket.on('error', reject);
  });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('slicer through a TCP mapping', () => {
  const payload = randomBytes(4096);
  let source: net.Server;
  let sliced: FaultProcess;
  let never: FaultProcess;
  let half: FaultProcess;

  before(async () => {
    source = await startSource(payload);
    const mapping = ['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${portOf(source)}`];
    const slicer = ['--with-slicer', '--slicer-average-size', '100', '--slicer-delay', '10ms'];
    sliced = await startFault([...mapping, ...slicer]);
    never = await startFault([...mapping, ...slicer, '--slicer-probability', '0']);
    half = await startFault([...mapping, ...slicer, '--slicer-probability', '0.5', '--seed', '3']);
  });
  after(async () => {
    await sliced?.stop();
    await never?.stop();
    await half?.stop();
    source?.close();
  });

  it('a 4 KB response arrives in many small reads, 10 ms apart, byte-identical', async () => {
    const { bytes, reads, ms } = await read(sliced.mappingPorts[0]);
    assert.equal(sha256(bytes), sha256(payload));
    assert.ok(reads >= 20, `${reads} reads`);
    // 4096 bytes = at least 41 slices of ≤ 100 bytes: 40 gaps of 10 ms.
    assert.ok(ms >= 40 * 10 * 0.8, `took ${ms.toFixed(1)} ms`);
    assert.ok(ms < 1500, `took ${ms.toFixed(1)} ms`);
  });

  it('probability 0: 200 connections, none sliced', async () => {
    for (let i = 0; i < 200; i++) {
      const { bytes, ms } = await read(never.mappingPorts[0]);
      assert.equal(sha256(bytes), sha256(payload));
      // Sliced, it would take ≥ 400 ms.
      assert.ok(ms < 100, `connection ${i} took ${ms.toFixed(1)} ms`);
    }
    const { stdout } = await never.stop();
    assert.doesNotMatch(stdout, /slicer ×/);
    assert.match(stdout, /Faults\s+none applied/);
  });

  it('probability 0.5: some connections are sliced and some are not', async () => {
    let slow = 0;
    const count = 12;
    for (let i = 0; i < count; i++) {
      const { bytes, ms } = await read(half.mappingPorts[0]);
      assert.equal(sha256(bytes), sha256(payload));
      if (ms >= 320) slow++;
      else assert.ok(ms < 100, `an unsliced connection took ${ms.toFixed(1)} ms`);
    }
    assert.ok(slow > 0 && slow < count, `${slow} of ${count} sliced`);
    const { stdout } = await half.stop();
    assert.match(stdout, new RegExp(`slicer ×${slow}\\b`));
  });
});
