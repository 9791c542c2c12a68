// Packet loss: a lost chunk is delivered late (after an RTO that doubles on consecutive losses),
// never dropped. The backoff and the Markov chain of link states on their own, then the real
// `fault run` moving 10 MB through a TCP mapping, which must arrive intact but later.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import { UsageError } from '../src/cli/usage-error';
import type { PacketLossFaultSpec } from '../src/config/types';
import type { FlowUnit, StageContext } from '../src/faults/fault';
import { LINK_STATES, LOSS_PROBABILITIES, LinkStateChain, TRANSITIONS } from '../src/faults/link-state-chain';
import { MAX_RTO_MS, PacketLossStage, RetransmissionBackoff, packetLossFault } from '../src/faults/packet-loss';
import { createRandom } from '../src/faults/random';
import type { TimerWheel } from '../src/time/timer-wheel';
import { FAULT_BIN, type FaultProcess, startFault } from './support/fault-process';
import { listen } from './support/servers';

function recordingContext(seed = 1): { context: StageContext; applied: number[] } {
  const applied: number[] = [];
  const context: StageContext = {
    random: createRandom(seed),
    wheel: undefined as unknown as TimerWheel,
    connection: { reset: () => undefined, close: () => undefined },
    applied: (_kind, ms) => applied.push(ms),
  };
  return { context, applied };
}

describe('retransmission backoff', () => {
  it('doubles on consecutive losses and returns to the base after a chunk gets through', () => {
    const backoff = new RetransmissionBackoff(20);
    assert.deepEqual([backoff.lost(), backoff.lost(), backoff.lost()], [20, 40, 80]);
    backoff.delivered();
    assert.deepEqual([backoff.lost(), backoff.lost()], [20, 40]);
  });

  it('never waits more than the ceiling, and keeps a base above it as given', () => {
    const backoff = new RetransmissionBackoff(200);
    const waits = Array.from({ length: 20 }, () => backoff.lost());
    assert.equal(waits[8], 51_200);
    assert.equal(waits[9], MAX_RTO_MS);
    assert.equal(waits[19], MAX_RTO_MS);
    const huge = new RetransmissionBackoff(90_000);
    assert.deepEqual([huge.lost(), huge.lost()], [90_000, 90_000]);
  });
});

describe('packet-loss stage', () => {
  it('delays exactly the lost units by the backoff, and lets the end through on time', () => {
    const { context, applied } = recordingContext();
    const script = [true, true, false, true, false, false];
    const stage = new PacketLossStage(() => script.shift() ?? false, new RetransmissionBackoff(20), context);
    const released: Array<[FlowUnit['type'], number]> = [];
    const next = (unit: FlowUnit, at: number) => released.push([unit.type, at]);
    stage.accept({ type: 'data', chunk: Buffer.alloc(10) }, 0, next); // lost: 20
    stage.accept({ type: 'marker', run: () => undefined }, 1, next); // lost again: 40
    stage.accept({ type: 'data', chunk: Buffer.alloc(10) }, 2, next); // through: back to 20
    stage.accept({ type: 'data', chunk: Buffer.alloc(10) }, 3, next); // lost: 20
    stage.accept({ type: 'end' }, 4, next);
    assert.deepEqual(released, [['data', 20], ['marker', 41], ['data', 2], ['data', 23], ['end', 4]]);
    assert.deepEqual(applied, [20, 40, 20]);
  });

  it('with a plain rate, loses that fraction of chunks', () => {
    const { context, applied } = recordingContext(7);
    const spec: PacketLossFaultSpec = { kind: 'packet-loss', side: 'server', direction: 'ingress', rate: 0.05, rtoMs: 20 };
    const stage = packetLossFault.createStage!(spec, 'toClient', context)!;
    const chunks = 100_000;
    for (let i = 0; i < chunks; i++) stage.accept({ type: 'data', chunk: Buffer.alloc(1) }, i, () => undefined);
    // Binomial standard deviation: sqrt(100000 × 0.05 × 0.95) ≈ 69 chunks, i.e. 0.07%.
    assert.ok(Math.abs(applied.length / chunks - 0.05) < 0.003, `lost ${applied.length} of ${chunks}`);
  });

  it('touches only its flows; a rate of 0 builds no stage at all', () => {
    const { context } = recordingContext();
    const spec: PacketLossFaultSpec = { kind: 'packet-loss', side: 'client', direction: 'ingress', rtoMs: 200 };
    assert.ok(packetLossFault.createStage!(spec, 'toUpstream', context));
    assert.equal(packetLossFault.createStage!(spec, 'toClient', context), undefined);
    assert.ok(packetLossFault.createStage!({ ...spec, direction: 'both' }, 'toClient', context));
    assert.equal(packetLossFault.createStage!({ ...spec, rate: 0 }, 'toUpstream', context), undefined);
  });
});

describe('link-state Markov chain', () => {
  // The table of spec §4.4, written out again so that a change to the code's table shows here.
  const SPEC_TRANSITIONS = [
    [0.9, 0.1, 0, 0, 0],
    [0.05, 0.9, 0.05, 0, 0],
    [0, 0.1, 0.8, 0.1, 0],
    [0, 0, 0.2, 0.7, 0.1],
    [0, 0, 0, 0.3, 0.7],
  ];
  const SPEC_LOSS = [0, 0.1, 0.3, 0.6, 0.9];

  /** Stationary distribution π = πP, by power iteration (the chain is irreducible and aperiodic). */
  function stationary(matrix: number[][]): number[] {
    let pi = matrix.map(() => 1 / matrix.length);
    for (let round = 0; round < 10_000; round++) {
      pi = pi.map((_, to) => pi.reduce((sum, p, from) => sum + p * matrix[from][to], 0));
    }
    return pi;
  }

  it('uses the specified transition and loss tables', () => {
    assert.deepEqual(TRANSITIONS, SPEC_TRANSITIONS);
    assert.deepEqual(LOSS_PROBABILITIES, SPEC_LOSS);
    for (const row of TRANSITIONS) assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  it('loses chunks at the stationary rate of the chain, and visits states as often as π says', (t) => {
    const pi = stationary(SPEC_TRANSITIONS);
    const expectedLoss = pi.reduce((sum, p, state) => sum + p * SPEC_LOSS[state], 0);
    const chain = new LinkStateChain(createRandom(2024));
    const steps = 1_000_000;
    const visits = new Map<string, number>();
    let lost = 0;
    for (let i = 0; i < steps; i++) {
      if (chain.nextChunkLost()) lost++;
      visits.set(chain.current, (visits.get(chain.current) ?? 0) + 1);
    }
    const rate = lost / steps;
    t.diagnostic(`stationary loss ${expectedLoss.toFixed(4)}, measured ${rate.toFixed(4)} over ${steps} chunks`);
    // States persist for ~10 steps, so draws are correlated: the standard error is a few times
    // the independent one (0.0004); 0.005 is still a tight check of a 20% rate.
    assert.ok(Math.abs(rate - expectedLoss) < 0.005);
    LINK_STATES.forEach((state, i) => {
      assert.ok(Math.abs((visits.get(state) ?? 0) / steps - pi[i]) < 0.01, `time in ${state}`);
    });
  });

  it('starts in Good', () => {
    assert.equal(new LinkStateChain(createRandom(1)).current, 'good');
  });
});

describe('packet-loss flags', () => {
  const lossSpecOf = (argv: string[], env: Record<string, string> = {}) =>
    buildRunConfig(['--proxy', '9000=127.0.0.1:9', ...argv], env).faults.find((f) => f.spec.kind === 'packet-loss')?.spec;

  it('defaults: server side, ingress, the Markov model, a 200 ms RTO', () => {
    assert.deepEqual(lossSpecOf(['--with-packet-loss']), {
      kind: 'packet-loss', side: 'server', direction: 'ingress', rate: undefined, rtoMs: 200,
    });
  });

  it('reads a rate and an RTO from flags or FAULT_* variables; a bare RTO is milliseconds', () => {
    assert.deepEqual(lossSpecOf(['--with-packet-loss', '--packet-loss-rate', '0.05', '--packet-loss-rto', '20']), {
      kind: 'packet-loss', side: 'server', direction: 'ingress', rate: 0.05, rtoMs: 20,
    });
    const fromEnv = lossSpecOf([], {
      FAULT_WITH_PACKET_LOSS: '1', FAULT_PACKET_LOSS_SIDE: 'client', FAULT_PACKET_LOSS_DIRECTION: 'both',
      FAULT_PACKET_LOSS_RATE: '0', FAULT_PACKET_LOSS_RTO: '1.5s',
    });
    assert.deepEqual(fromEnv, { kind: 'packet-loss', side: 'client', direction: 'both', rate: 0, rtoMs: 1500 });
  });

  const invalid: Array<[string, string[], Record<string, string>, string]> = [
    ['a rate above 1', ['--packet-loss-rate', '1.5'], {}, '--packet-loss-rate: Probability must be a float between 0.0 and 1.0'],
    ['an RTO of 0', ['--packet-loss-rto', '0ms'], {}, '--packet-loss-rto: '],
    ['a bad RTO', [], { FAULT_PACKET_LOSS_RTO: 'soon' }, "FAULT_PACKET_LOSS_RTO: Invalid time 'soon'"],
  ];
  for (const [name, argv, env, message] of invalid) {
    it(`rejects ${name}`, () =>
      assert.throws(
        () => lossSpecOf(['--with-packet-loss', ...argv], env),
        (error: Error) => error instanceof UsageError && error.message.includes(message),
      ));
  }

  it('`fault run` exits 2 with a one-line error', () => {
    const result = spawnSync(process.execPath, [FAULT_BIN, 'run', '--with-packet-loss', '--packet-loss-rto', '-5'], {
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.equal(result.stderr.trim().split('\n').length, 1);
    assert.match(result.stderr, /^error: --packet-loss-rto: /);
  });
});

// ---- through the real CLI -------------------------------------------------------------------

const PAYLOAD = randomBytes(10 * 1024 * 1024);
const DIGEST = `${PAYLOAD.length} ${createHash('sha256').update(PAYLOAD).digest('hex')}`;

/** Hashes what a client sends and answers `<bytes> <sha256>` once the client has finished. */
async function startHashingSink(): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const hash = createHash('sha256');
    let bytes = 0;
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    socket.on('end', () => socket.end(`${bytes} ${hash.digest('hex')}`));
  });
  await listen(server);
  return server;
}

/** Sends `payload` to every client, then closes. */
async function startSource(payload: Buffer): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end(payload));
  await listen(server);
  return server;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

interface Transfer {
  digest: string;
  ms: number;
}

function upload(port: number, payload: Buffer): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let reply = '';
    socket.setEncoding('utf8').on('data', (d: string) => (reply += d));
    socket.on('end', () => {
      socket.destroy();
      resolve({ digest: reply, ms: performance.now() - started });
    });
    socket.on('error', reject);
    socket.end(payload);
  });
}

function download(port: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ port, host: '127.0.0.1' });
    const hash = createHash('sha256');
    let bytes = 0;
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      hash.update(d);
    });
    socket.on('end', () => resolve({ digest: `${bytes} ${hash.digest('hex')}`, ms: performance.now() - started }));
    socket.on('error', reject);
  });
}

function summaryCount(stdout: string, kind: string): number {
  const match = new RegExp(`${kind} ×(\\d+)`).exec(stdout);
  return match ? Number(match[1]) : 0;
}

/** Starts `fault run` with the sink (mapping 0) and the source (mapping 1) behind it. */
function startMappings(sink: net.Server, source: net.Server, faultArgs: string[]): Promise<FaultProcess> {
  return startFault([
    '--disable-http-proxy', '--workers', '1',
    '--proxy', `127.0.0.1:0=127.0.0.1:${portOf(sink)}`,
    '--proxy', `127.0.0.1:0=127.0.0.1:${portOf(source)}`,
    ...faultArgs,
  ]);
}

const RTO_MS = 20;

describe('packet loss 5% with a 20 ms RTO on a TCP mapping, both directions: 10 MB', () => {
  let sink: net.Server;
  let source: net.Server;
  let baseline: FaultProcess;
  let lossy: FaultProcess;

  before(async () => {
    sink = await startHashingSink();
    source = await startSource(PAYLOAD);
    baseline = await startMappings(sink, source, []);
    lossy = await startMappings(sink, source, [
      '--seed', '5',
      '--with-packet-loss', '--packet-loss-rate', '0.05', '--packet-loss-rto', `${RTO_MS}ms`, '--packet-loss-direction', 'both',
    ]);
  });
  after(async () => {
    await baseline?.stop();
    await lossy?.stop();
    sink?.close();
    source?.close();
  });

  for (const [name, transfer] of [
    ['upload', (fault: FaultProcess) => upload(fault.mappingPorts[0], PAYLOAD)],
    ['download', (fault: FaultProcess) => download(fault.mappingPorts[1])],
  ] as const) {
    it(`${name}: byte-identical (SHA-256), and later than without loss`, async (t) => {
      // Best of two for the baseline, so one slow run cannot hide the difference.
      const fast = Math.min((await transfer(baseline)).ms, (await transfer(baseline)).ms);
      const slow = await transfer(lossy);
      assert.equal(slow.digest, DIGEST);
      t.diagnostic(`${name}: ${fast.toFixed(0)} ms without loss, ${slow.ms.toFixed(0)} ms with loss`);
      // ~8 of the ~160 chunks of 64 KiB are lost, each stalling the flow for an RTO or more. The
      // stalls overlap, though: behind a waiting chunk the pump queues 2 MiB in a few ms, and
      // losses among those wait out the same 20 ms. Measured 56 to 132 ms more than the
      // baseline over 16 runs; two RTOs leave room for a noisy machine.
      assert.ok(slow.ms >= fast + 2 * RTO_MS, `${slow.ms} ms with loss vs ${fast} ms without`);
    });
  }

  it('the summary counts the lost chunks, each waiting at least one RTO', async (t) => {
    const { stdout } = await lossy.stop();
    const lost = summaryCount(stdout, 'packet-loss');
    t.diagnostic(`packet-loss ×${lost}`);
    assert.ok(lost > 0, stdout);
    const p50 = /Injected\s+p50 ([\d.]+) ms/.exec(stdout);
    assert.ok(p50 && Number(p50[1]) >= RTO_MS * 0.999, stdout);
  });
});

describe('packet loss with the Markov model (no rate), both directions', () => {
  let sink: net.Server;
  let source: net.Server;
  let fault: FaultProcess;
  const payload = PAYLOAD.subarray(0, 2 * 1024 * 1024);
  const digest = `${payload.length} ${createHash('sha256').update(payload).digest('hex')}`;

  before(async () => {
    sink = await startHashingSink();
    source = await startSource(payload);
    // A tiny RTO: the chain's bad spells double it many times in a row (that is the model).
    fault = await startMappings(sink, source, [
      '--seed', '3',
      '--with-packet-loss', '--packet-loss-rto', '1', '--packet-loss-direction', 'both',
    ]);
  });
  after(async () => {
    await fault?.stop();
    sink?.close();
    source?.close();
  });

  it('delivers an upload and a download intact, and counts losses', async (t) => {
    const up = await upload(fault.mappingPorts[0], payload);
    const down = await download(fault.mappingPorts[1]);
    assert.equal(up.digest, digest);
    assert.equal(down.digest, digest);
    const { stdout } = await fault.stop();
    const lost = summaryCount(stdout, 'packet-loss');
    t.diagnostic(`upload ${up.ms.toFixed(0)} ms, download ${down.ms.toFixed(0)} ms, packet-loss ×${lost}`);
    assert.ok(lost > 0, stdout);
  });
});
