// The native relay (native/fault_relay.c): TCP mappings and CONNECT tunnels that no fault
// touches are carried by a relay thread per shard instead of JavaScript. It must be as faithful
// as the JavaScript relay: bytes intact and in order, half-close and resets relayed, bounded
// memory under a slow reader, correct statistics, and nothing left open at stop.
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadNative } from '../src/engine/native';
import { startFault } from './support/fault-process';
import { listen } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const native = loadNative();
const skip = native.ok ? false : `the native addon is not available: ${native.reason}`;

function threadNames(pid: number): string[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    try {
      return readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      return '';
    }
  });
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1]) * 1024;
}

/** Sends `payload`, half-closes, and collects everything until EOF. */
function exchange(port: number, payload: Buffer, prefix?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let headSeen = prefix === undefined;
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      if (headSeen) return chunks.push(d);
      pending = Buffer.concat([pending, d]);
      const end = pending.indexOf('\r\n\r\n');
      if (end < 0) return;
      assert.match(pending.subarray(0, end).toString(), /^HTTP\/1\.1 200/);
      headSeen = true;
      chunks.push(pending.subarray(end + 4));
    });
    socket.on('end', () => {
      socket.end();
      resolve(Buffer.concat(chunks));
    });
    socket.on('error', reject);
    if (prefix !== undefined) socket.write(prefix);
    socket.end(payload);
  });
}

/** Sends `payload` to every client as soon as it connects, then ends. */
function sendAndEndServer(payload: Buffer): net.Server {
  return net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(payload);
  });
}

/** Echoes what it gets; ends its side once the client has ended. */
function echoServer(): net.Server {
  return net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
}

describe('native relay', { skip }, () => {
  let echo: net.Server;
  let echoPort: number;
  let dir: string;

  before(async () => {
    echo = echoServer();
    echoPort = await listen(echo);
    dir = await mkdtemp(join(tmpdir(), 'fault-native-relay-'));
  });
  after(async () => {
    echo.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries a fault-free mapping: 8 MB echoed intact, half-close relayed, exact statistics', async () => {
    const report = join(dir, 'mapping.json');
    const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--report', report, '--proxy', `127.0.0.1:0=127.0.0.1:${echoPort}`]);
    try {
      const payload = randomBytes(8 * 1024 * 1024);
      const back = await exchange(fault.mappingPorts[0], payload);
      assert.equal(back.length, payload.length);
      assert.equal(sha(back), sha(payload));
      assert.ok(threadNames(fault.child.pid!).includes('fault-relay'), 'a fault-relay thread runs');
    } finally {
      assert.equal((await fault.stop()).code, 0);
    }
    const doc = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(doc.totals.connectionsAccepted, 1);
    assert.equal(doc.totals.exchanges, 1);
    assert.equal(doc.totals.errors, 0);
    assert.equal(doc.totals.bytesToUpstream, 8 * 1024 * 1024);
    assert.equal(doc.totals.bytesToClient, 8 * 1024 * 1024);
  });

  it('survives upstreams that answer and close at once: 2000 connections, 50 at a time, all intact', async () => {
    // The relay can finish such a connection before the shard has closed its own copies of the
    // fds; a registration left behind then pointed at freed memory (a crash after ~200).
    const answer = Buffer.from('z'.repeat(1000));
    const quick = sendAndEndServer(answer);
    const quickPort = await listen(quick);
    const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${quickPort}`]);
    try {
      const one = () =>
        new Promise<string>((resolve) => {
          const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' });
          const chunks: Buffer[] = [];
          socket.on('data', (d: Buffer) => chunks.push(d));
          socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
          socket.on('close', () => resolve(Buffer.concat(chunks).equals(answer) ? 'ok' : `got ${Buffer.concat(chunks).length} bytes`));
        });
      const outcomes: string[] = [];
      for (let batch = 0; batch < 40; batch++) outcomes.push(...(await Promise.all(Array.from({ length: 50 }, one))));
      assert.deepEqual(outcomes.filter((o) => o !== 'ok'), []);
    } finally {
      quick.close();
      assert.equal((await fault.stop()).code, 0);
    }
  });

  it('is not used with FAULT_NATIVE_RELAY=0, nor while a fault is active', async () => {
    const off = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${echoPort}`], {
      env: { FAULT_NATIVE_RELAY: '0' },
    });
    const faulted = await startFault([
      '--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${echoPort}`,
      '--with-latency', '--latency-mean', '1', '--latency-stddev', '0',
    ]);
    try {
      for (const fault of [off, faulted]) {
        const payload = randomBytes(100_000);
        assert.equal(sha(await exchange(fault.mappingPorts[0], payload)), sha(payload));
        assert.ok(!threadNames(fault.child.pid!).includes('fault-relay'), 'no fault-relay thread');
      }
    } finally {
      await off.stop();
      await faulted.stop();
    }
  });

  it('carries a passthrough CONNECT tunnel, with the bytes sent behind the CONNECT head', async () => {
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', 'elsewhere.test']);
    try {
      const payload = randomBytes(2 * 1024 * 1024);
      const back = await exchange(fault.proxyPort!, payload, `CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: 127.0.0.1:${echoPort}\r\n\r\n`);
      assert.equal(sha(back), sha(payload));
      assert.ok(threadNames(fault.child.pid!).includes('fault-relay'));
    } finally {
      await fault.stop();
    }
  });

  it('counts the bytes that came in the same write as the CONNECT head', async () => {
    const report = join(dir, 'connect-early.json');
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--report', report]);
    const early = randomBytes(50_000);
    const later = randomBytes(1_000);
    try {
      const back = await new Promise<Buffer>((resolve, reject) => {
        const socket = net.connect({ port: fault.proxyPort!, host: '127.0.0.1', allowHalfOpen: true });
        let pending = Buffer.alloc(0);
        let open = false;
        const chunks: Buffer[] = [];
        socket.on('connect', () => socket.write(Buffer.concat([Buffer.from(`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: x\r\n\r\n`), early])));
        socket.on('data', (d: Buffer) => {
          if (open) return chunks.push(d);
          pending = Buffer.concat([pending, d]);
          const end = pending.indexOf('\r\n\r\n');
          if (end < 0) return;
          open = true;
          chunks.push(pending.subarray(end + 4));
          socket.end(later);
        });
        socket.on('end', () => resolve(Buffer.concat(chunks)));
        socket.on('error', reject);
      });
      assert.equal(sha(back), sha(Buffer.concat([early, later])));
    } finally {
      assert.equal((await fault.stop()).code, 0);
    }
    const doc = JSON.parse(await readFile(report, 'utf8'));
    assert.equal(doc.totals.bytesToUpstream, early.length + later.length);
    assert.equal(doc.totals.bytesToClient, early.length + later.length);
  });

  it('relays a reset from the upstream to the client, and from the client to the upstream', async () => {
    let upstreamSaw: string | undefined;
    const resetter = net.createServer((socket) => {
      socket.on('error', (error: NodeJS.ErrnoException) => (upstreamSaw = error.code));
      socket.on('close', () => (upstreamSaw ??= 'close'));
      socket.once('data', (d) => {
        if (d.toString() === 'reset me') socket.resetAndDestroy();
      });
    });
    const port = await listen(resetter);
    const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${port}`]);
    try {
      const clientSaw = await new Promise<string>((resolve) => {
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' }, () => socket.write('reset me'));
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        socket.on('close', () => resolve('close without error'));
      });
      assert.equal(clientSaw, 'ECONNRESET');

      upstreamSaw = undefined;
      await new Promise<void>((resolve) => {
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' }, () => {
          socket.write('hello');
          setTimeout(() => socket.resetAndDestroy(), 100);
        });
        socket.on('error', () => {});
        socket.on('close', () => resolve());
      });
      for (let i = 0; i < 50 && upstreamSaw === undefined; i++) await sleep(20);
      assert.equal(upstreamSaw, 'ECONNRESET');
    } finally {
      await fault.stop();
      resetter.close();
    }
  });

  it('does not buffer without bound for a client that stops reading', async () => {
    const total = 64 * 1024 * 1024;
    const payload = randomBytes(total);
    const source = sendAndEndServer(payload);
    const port = await listen(source);
    const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${port}`]);
    try {
      const pid = fault.child.pid!;
      const before = rssBytes(pid);
      const received = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' });
        socket.pause();
        socket.on('error', reject);
        setTimeout(() => {
          const grown = rssBytes(pid) - before;
          // The source is far ahead of the reader: only socket buffers and one pending read
          // may sit in the proxy, not the 64 MB.
          try {
            assert.ok(grown < 24 * 1024 * 1024, `proxy RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
          } catch (error) {
            reject(error);
          }
          socket.on('data', (d: Buffer) => chunks.push(d));
          socket.resume();
        }, 1000);
        socket.on('end', () => resolve(Buffer.concat(chunks)));
      });
      assert.equal(received.length, total);
      assert.equal(sha(received), sha(payload));
    } finally {
      await fault.stop();
      source.close();
    }
  });

  it('closes relayed connections at stop once the drain time is over, and counts them as cut', async () => {
    const fault = await startFault([
      '--disable-http-proxy', '--workers', '1', '--drain-timeout', '300ms', '--proxy', `127.0.0.1:0=127.0.0.1:${echoPort}`,
    ]);
    const closed = new Promise<number>((resolve) => {
      const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' }, () => socket.write('still here'));
      socket.on('error', () => {});
      socket.resume();
      socket.on('close', () => resolve(Date.now()));
    });
    await sleep(200);
    const stopAt = Date.now();
    const { code, stdout } = await fault.stop();
    const closedAt = await closed;
    assert.equal(code, 0);
    assert.ok(closedAt - stopAt < 3000, `closed ${closedAt - stopAt} ms after the stop`);
    assert.match(stdout, /1 accepted, 1 cut at stop/);
  });
});
