// TCP port mappings with real servers: redis-server behind a mapping with per-read/write
// latency, and a 50 MB random payload that must arrive byte-identical.
import { strict as assert } from 'node:assert';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type FaultProcess, startFault } from './support/fault-process';
import { closedPort, listen } from './support/servers';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function redisPing(port: number): Promise<{ reply: string; ms: number }> {
  const started = performance.now();
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING']);
  return { reply: stdout.trim(), ms: performance.now() - started };
}

describe('TCP mapping in front of redis-server', () => {
  let redis: ChildProcess;
  let redisPort: number;
  let fault: FaultProcess;

  before(async () => {
    redisPort = await closedPort();
    redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 100; i++) {
      try {
        if ((await redisPing(redisPort)).reply === 'PONG') break;
      } catch {
        // not up yet
      }
      await sleep(50);
    }
    fault = await startFault([
      '--disable-http-proxy',
      '--workers', '1',
      '--proxy', `127.0.0.1:0=127.0.0.1:${redisPort}`,
      '--with-latency', '--latency-per-read-write', '--latency-mean', '40', '--latency-stddev', '0',
      '--latency-direction', 'both',
    ]);
  });
  after(async () => {
    await fault?.stop();
    redis?.kill();
  });

  it('redis-cli PING works and shows the per-read/write latency', async () => {
    const direct = await redisPing(redisPort);
    const mapped = await redisPing(fault.mappingPorts[0]);
    assert.equal(mapped.reply, 'PONG');
    // A PING is one write to redis and one read back: two 40 ms delays on the server side.
    assert.ok(mapped.ms - direct.ms >= 75, `mapped ${mapped.ms} ms vs direct ${direct.ms} ms`);
  });

  it('the summary counts the delayed reads and writes', async () => {
    const { stdout } = await fault.stop();
    const applied = Number(/latency ×(\d+)/.exec(stdout)?.[1]);
    assert.ok(applied >= 2, stdout);
  });
});

/** A server that hashes everything it receives and answers with the hex digest, then closes. */
async function startHashingSink(): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const hash = createHash('sha256');
    let size = 0;
    socket.on('data', (d: Buffer) => {
      size += d.length;
      hash.update(d);
    });
    socket.on('end', () => socket.end(`${size} ${hash.digest('hex')}`));
  });
  return { server, port: await listen(server) };
}

/** A server that sends `payload` to whoever connects, then closes. */
async function startSource(payload: Buffer): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => socket.end(payload));
  return { server, port: await listen(server) };
}

async function sendAndHash(port: number, payload: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let reply = '';
    socket.setEncoding('utf8').on('data', (d: string) => (reply += d));
    socket.on('end', () => {
      socket.destroy();
      resolve(reply);
    });
    socket.on('error', reject);
    socket.end(payload);
  });
}

async function receiveAndHash(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const hash = createHash('sha256');
    let size = 0;
    socket.on('data', (d: Buffer) => {
      size += d.length;
      hash.update(d);
    });
    socket.on('end', () => resolve(`${size} ${hash.digest('hex')}`));
    socket.on('error', reject);
  });
}

for (const latency of [false, true]) {
  describe(`50 MB through a TCP mapping ${latency ? 'with per-read/write latency' : 'without faults'}`, () => {
    const payload = randomBytes(50 * 1024 * 1024);
    const expected = `${payload.length} ${createHash('sha256').update(payload).digest('hex')}`;
    let sink: { server: net.Server; port: number };
    let source: { server: net.Server; port: number };
    let fault: FaultProcess;

    before(async () => {
      sink = await startHashingSink();
      source = await startSource(payload);
      const latencyArgs = latency
        ? ['--with-latency', '--latency-per-read-write', '--latency-mean', '2', '--latency-stddev', '1', '--latency-direction', 'both']
        : [];
      fault = await startFault([
        '--disable-http-proxy',
        '--workers', '2',
        '--proxy', `127.0.0.1:0=127.0.0.1:${sink.port}`,
        '--proxy', `127.0.0.1:0=127.0.0.1:${source.port}`,
        ...latencyArgs,
      ]);
    });
    after(async () => {
      await fault?.stop();
      sink?.server.close();
      source?.server.close();
    });

    it('client → server: byte-identical (SHA-256)', async () => {
      assert.equal(await sendAndHash(fault.mappingPorts[0], payload), expected);
    });

    it('server → client: byte-identical (SHA-256)', async () => {
      assert.equal(await receiveAndHash(fault.mappingPorts[1]), expected);
    });
  });
}
