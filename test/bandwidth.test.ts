// The bandwidth fault: the limiter's arithmetic on a fake clock, its flags, and measured
// throughput through the real CLI (TCP mappings both ways, the HTTP forward proxy).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import type { BandwidthFaultSpec, RunConfig } from '../src/config/types';
import { BandwidthLimiter, bandwidthFault } from '../src/faults/bandwidth';
import type { FlowStage, FlowUnit, StageContext } from '../src/faults/fault';
import { createRandom } from '../src/faults/random';
import { TimerWheel } from '../src/time/timer-wheel';
import { type FaultProcess, startFault } from './support/fault-process';
import { listen, startHttpOrigin } from './support/servers';

const BIN = resolve(__dirname, '../../bin/fault.js');

// ---------------------------------------------------------------------------------------------
// Stage logic on a fake clock
// ---------------------------------------------------------------------------------------------

interface Released {
  unit: FlowUnit;
  at: number;
}

function stageFor(bytesPerSecond: number): { stage: FlowStage; released: Released[]; applied: () => number } {
  let applied = 0;
  const context: StageContext = {
    random: createRandom(1),
    wheel: new TimerWheel({ unref: true }),
    connection: { reset: () => undefined, close: () => undefined },
    applied: () => applied++,
  };
  const spec: BandwidthFaultSpec = { kind: 'bandwidth', side: 'server', direction: 'ingress', bytesPerSecond };
  const stage = bandwidthFault.createStage!(spec, 'toClient', context)!;
  const released: Released[] = [];
  return { stage, released, applied: () => applied };
}

function feed(stage: FlowStage, released: Released[], unit: FlowUnit, at: number): void {
  stage.accept(unit, at, (out, outAt) => released.push({ unit: out, at: outAt }));
}

const data = (size: number): FlowUnit => ({ type: 'data', chunk: Buffer.alloc(size, 7) });
const sizeOf = (r: Released) => (r.unit.type === 'data' ? r.unit.chunk.length : 0);

describe('bandwidth limiter (fake clock)', () => {
  it('one big chunk trickles out at the rate, in pieces no larger than the burst', () => {
    const { stage, released } = stageFor(1_000_000);
    feed(stage, released, data(1_000_000), 0);
    const burst = 20_000; // 20 ms at 1 MB/s
    assert.ok(released.length >= 50, `${released.length} pieces`);
    assert.ok(released.every((r) => sizeOf(r) <= burst));
    assert.equal(released.reduce((sum, r) => sum + sizeOf(r), 0), 1_000_000);
    // The first burst leaves at once, the rest at the rate: done at 1 s minus the burst.
    assert.equal(released[0].at, 0);
    assert.ok(Math.abs(released[released.length - 1].at - 980) < 1e-6, `last at ${released[released.length - 1].at}`);
    for (let i = 1; i < released.length; i++) {
      const gap = released[i].at - released[i - 1].at;
      assert.ok(gap >= 0 && gap <= 20 + 1e-9, `gap ${gap} ms between pieces ${i - 1} and ${i}`);
    }
  });

  it('a short transfer is throttled too (burst is 20 ms worth)', () => {
    const { stage, released } = stageFor(10_000);
    for (let i = 0; i < 10; i++) feed(stage, released, data(1000), i); // 10 KB, arriving over 10 ms
    const last = released[released.length - 1].at;
    assert.ok(Math.abs(last - 980) < 1e-6, `10 KB at 10 KB/s done at ${last} ms`);
  });

  it('markers and the end pass at once and take no tokens', () => {
    const { stage, released } = stageFor(1000);
    const head: FlowUnit = { type: 'marker', run: () => undefined };
    feed(stage, released, head, 5);
    feed(stage, released, data(20), 5);
    feed(stage, released, data(20), 5);
    feed(stage, released, { type: 'marker', run: () => undefined }, 6);
    feed(stage, released, { type: 'end' }, 7);
    assert.deepEqual(
      released.map((r) => [r.unit.type, r.at]),
      [['marker', 5], ['data', 5], ['data', 25], ['marker', 6], ['end', 7]],
    );
  });

  it('refills while idle, but never more than one burst', () => {
    const limiter = new BandwidthLimiter(1000); // 1 byte per ms, burst 20 bytes
    assert.equal(limiter.releaseTime(20, 0), 0);
    assert.equal(limiter.releaseTime(20, 0), 20);
    // Idle for a long time: only one burst is free again.
    assert.equal(limiter.releaseTime(20, 10_000), 10_000);
    assert.equal(limiter.releaseTime(10, 10_000), 10_010);
  });

  it('rates beyond 32 bits are honoured, not truncated', () => {
    const limiter = new BandwidthLimiter(10e9); // 10 GB/s
    let at = 0;
    for (let sent = 0; sent < 2e9; sent += 1e6) at = limiter.releaseTime(1e6, 0);
    assert.ok(Math.abs(at - (200 - 20)) < 1e-3, `2 GB at 10 GB/s: last piece at ${at} ms`);
  });

  it('reports once per flow, when it first holds data back; deactivated, it passes data', () => {
    const { stage, released, applied } = stageFor(1000);
    feed(stage, released, data(10), 0);
    assert.equal(applied(), 0);
    feed(stage, released, data(100), 0);
    feed(stage, released, data(100), 0);
    assert.equal(applied(), 1);
    stage.deactivate!();
    feed(stage, released, data(100), 1);
    assert.equal(released[released.length - 1].at, 1);
  });
});

// ---------------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------------

function bandwidthSpecOf(config: RunConfig): BandwidthFaultSpec {
  const spec = config.faults.find((f) => f.spec.kind === 'bandwidth')?.spec;
  assert.ok(spec && spec.kind === 'bandwidth');
  return spec;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, 'run', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 15_000 });
}

describe('bandwidth flags', () => {
  it('defaults: 1000 B/s, server side, ingress', () => {
    assert.deepEqual(bandwidthSpecOf(buildRunConfig(['--with-bandwidth'], {})), {
      kind: 'bandwidth',
      side: 'server',
      direction: 'ingress',
      bytesPerSecond: 1000,
    });
  });
  it('units are decimal bytes, case-insensitive; bps and kbps are bytes too', () => {
    const rate = (unit: string) => bandwidthSpecOf(buildRunConfig(['--with-bandwidth', '--bandwidth-rate', '3', '--bandwidth-unit', unit], {})).bytesPerSecond;
    assert.equal(rate('Bps'), 3);
    assert.equal(rate('bps'), 3);
    assert.equal(rate('kbps'), 3000);
    assert.equal(rate('KBps'), 3000);
    assert.equal(rate('mbps'), 3_000_000);
    assert.equal(rate('GBps'), 3_000_000_000);
  });
  it('5 GB/s stays 5 GB/s (no 32-bit truncation)', () => {
    const spec = bandwidthSpecOf(buildRunConfig(['--with-bandwidth', '--bandwidth-rate', '5', '--bandwidth-unit', 'GBps'], {}));
    assert.equal(spec.bytesPerSecond, 5e9);
  });
  it('reads the FAULT_BANDWIDTH_* variables', () => {
    const spec = bandwidthSpecOf(
      buildRunConfig([], {
        FAULT_WITH_BANDWIDTH: 'true',
        FAULT_BANDWIDTH_SIDE: 'client',
        FAULT_BANDWIDTH_DIRECTION: 'both',
        FAULT_BANDWIDTH_RATE: '50',
        FAULT_BANDWIDTH_UNIT: 'KBps',
      }),
    );
    assert.deepEqual(spec, { kind: 'bandwidth', side: 'client', direction: 'both', bytesPerSecond: 50_000 });
  });

  const failures: Array<[string, string[], Record<string, string>, string]> = [
    ['rate 0', ['--with-bandwidth', '--bandwidth-rate', '0'], {}, '--bandwidth-rate'],
    ['rate 0 from the environment', ['--with-bandwidth'], { FAULT_BANDWIDTH_RATE: '0' }, 'FAULT_BANDWIDTH_RATE'],
    ['fractional rate', ['--with-bandwidth', '--bandwidth-rate', '1.5'], {}, '--bandwidth-rate'],
    ['bits', ['--with-bandwidth', '--bandwidth-unit', 'Mbit'], {}, '--bandwidth-unit'],
    ['bad unit from the environment', ['--with-bandwidth'], { FAULT_BANDWIDTH_UNIT: 'TBps' }, 'FAULT_BANDWIDTH_UNIT'],
    ['bad side', ['--with-bandwidth', '--bandwidth-side', 'middle'], {}, '--bandwidth-side'],
  ];
  for (const [name, args, env, flag] of failures) {
    it(`exits 2 naming the flag: ${name}`, () => {
      const { status, stderr } = cli(args, env);
      assert.equal(status, 2, stderr);
      assert.equal(stderr.trim().split('\n').length, 1, stderr);
      assert.match(stderr, new RegExp(`^error: ${flag}: `));
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Measured throughput over real sockets
// ---------------------------------------------------------------------------------------------

const digest = (bytes: Buffer) => `${bytes.length} ${createHash('sha256').update(bytes).digest('hex')}`;

/** Sends `payload` to every client, then closes. */
async function startSource(payload: Buffer): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end(payload));
  await listen(server);
  return server;
}

/** Hashes what it receives and answers with the size and digest once the client half-closes. */
async function startHashingSink(): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const hash = createHash('sha256');
    let size = 0;
    socket.on('data', (d: Buffer) => {
      size += d.length;
      hash.update(d);
    });
    socket.on('end', () => socket.end(`${size} ${hash.digest('hex')}`));
  });
  await listen(server);
  return server;
}

const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;

async function download(port: number): Promise<{ digest: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const hash = createHash('sha256');
    let size = 0;
    socket.on('data', (d: Buffer) => {
      size += d.length;
      hash.update(d);
    });
    socket.on('end', () => resolvePromise({ digest: `${size} ${hash.digest('hex')}`, ms: performance.now() - started }));
    socket.on('error', reject);
  });
}

async function upload(port: number, payload: Buffer): Promise<{ digest: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let reply = '';
    socket.setEncoding('utf8').on('data', (d: string) => (reply += d));
    socket.on('end', () => {
      socket.destroy();
      resolvePromise({ digest: reply, ms: performance.now() - started });
    });
    socket.on('error', reject);
    socket.end(payload);
  });
}

function assertRate(bytes: number, ms: number, bytesPerSecond: number): void {
  const measured = bytes / (ms / 1000);
  const error = measured / bytesPerSecond - 1;
  assert.ok(Math.abs(error) <= 0.05, `${bytes} bytes in ${ms.toFixed(1)} ms = ${measured.toFixed(0)} B/s, ${(error * 100).toFixed(2)}% off ${bytesPerSecond}`);
}

// Each transfer is two seconds' worth at its rate.
const RATES: Array<{ label: string; rate: string; unit: string; bytesPerSecond: number }> = [
  { label: '50 KB/s', rate: '50', unit: 'KBps', bytesPerSecond: 50_000 },
  { label: '1 MB/s', rate: '1', unit: 'MBps', bytesPerSecond: 1_000_000 },
  { label: '100 MB/s', rate: '100', unit: 'MBps', bytesPerSecond: 100_000_000 },
];

for (const { label, rate, unit, bytesPerSecond } of RATES) {
  describe(`bandwidth ${label} through a TCP mapping`, () => {
    const payload = randomBytes(2 * bytesPerSecond);
    const expected = digest(payload);
    let source: net.Server;
    let sink: net.Server;
    let downloads: FaultProcess;
    let uploads: FaultProcess;
    const limit = ['--with-bandwidth', '--bandwidth-rate', rate, '--bandwidth-unit', unit];

    before(async () => {
      source = await startSource(payload);
      sink = await startHashingSink();
      downloads = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${portOf(source)}`, ...limit]);
      uploads = await startFault([
        '--disable-http-proxy', '--workers', '1',
        '--proxy', `127.0.0.1:0=127.0.0.1:${portOf(sink)}`,
        ...limit, '--bandwidth-side', 'client', '--bandwidth-direction', 'ingress',
      ]);
    });
    after(async () => {
      await downloads?.stop();
      await uploads?.stop();
      source?.close();
      sink?.close();
    });

    it('server ingress (download): within 5% of the rate, byte-identical', async () => {
      const { digest: got, ms } = await download(downloads.mappingPorts[0]);
      assert.equal(got, expected);
      assertRate(payload.length, ms, bytesPerSecond);
    });

    it('client ingress (upload): within 5% of the rate, byte-identical', async () => {
      const { digest: got, ms } = await upload(uploads.mappingPorts[0], payload);
      assert.equal(got, expected);
      assertRate(payload.length, ms, bytesPerSecond);
    });

    it('the summary counts the throttled flows', async () => {
      const { stdout } = await downloads.stop();
      assert.match(stdout, /Faults\s+bandwidth ×1/);
    });
  });
}

describe('bandwidth on short transfers and HTTP', () => {
  let source: net.Server;
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  const shortPayload = randomBytes(10_000);
  const body = randomBytes(2_000_000);
  let shortFault: FaultProcess;
  let httpFault: FaultProcess;

  before(async () => {
    source = await startSource(shortPayload);
    origin = await startHttpOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
      res.end(body);
    });
    shortFault = await startFault([
      '--disable-http-proxy', '--workers', '1',
      '--proxy', `127.0.0.1:0=127.0.0.1:${portOf(source)}`,
      '--with-bandwidth', '--bandwidth-rate', '10', '--bandwidth-unit', 'kbps',
    ]);
    httpFault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '127.0.0.1',
      '--with-bandwidth', '--bandwidth-rate', '1', '--bandwidth-unit', 'MBps',
    ]);
  });
  after(async () => {
    await shortFault?.stop();
    await httpFault?.stop();
    source?.close();
    await origin?.close();
  });

  it('10 KB at 10 KB/s takes about a second (the burst is not a free pass)', async () => {
    const { digest: got, ms } = await download(shortFault.mappingPorts[0]);
    assert.equal(got, digest(shortPayload));
    assert.ok(ms >= 900 && ms <= 1100, `took ${ms.toFixed(1)} ms`);
  });

  it('HTTP forward proxy: a 2 MB response body at 1 MB/s, streamed, within 5%, byte-identical', async () => {
    const started = performance.now();
    let firstBodyByteMs = Infinity;
    const received = await new Promise<Buffer>((resolvePromise, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: httpFault.proxyPort, path: `http://127.0.0.1:${origin.port}/blob`, agent: false },
        (res) => {
          assert.equal(res.statusCode, 200);
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => {
            firstBodyByteMs = Math.min(firstBodyByteMs, performance.now() - started);
            chunks.push(d);
          });
          res.on('end', () => resolvePromise(Buffer.concat(chunks)));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
    const ms = performance.now() - started;
    assert.equal(digest(received), digest(body));
    assertRate(body.length, ms, 1_000_000);
    // Streamed: the body starts flowing long before it is complete.
    assert.ok(firstBodyByteMs < 200, `first body byte after ${firstBodyByteMs.toFixed(1)} ms`);
  });
});
