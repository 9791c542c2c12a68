// Tests of the native SO_REUSEPORT addon with real sockets and real worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Worker } from 'node:worker_threads';
import { loadNative, NATIVE_ADDON_PATH, type NativeAddon, type NativeError } from '../src/engine/native';

const loaded = loadNative();
const addon: NativeAddon | undefined = loaded.ok ? loaded.addon : undefined;
const skip: string | false = loaded.ok ? false : `native addon unavailable: ${loaded.reason}`;
if (skip) console.log(`# native.test: skipping addon tests, ${skip}`);

function native(): NativeAddon {
  assert.ok(addon, 'addon loaded');
  return addon;
}

// A shard: listens on the fd it is given, answers every connection with its id and hangs up.
// Messages: 'close' closes the server gracefully (replies {closed: accepted}), 'crash' throws.
const SHARD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
let accepted = 0;
const server = net.createServer((sock) => {
  accepted++;
  sock.on('error', () => {});
  sock.end(String(workerData.id));
});
server.on('error', (err) => parentPort.postMessage({ type: 'error', code: err.code, message: err.message }));
server.listen({ fd: workerData.fd }, workerData.backlog, () => {
  parentPort.postMessage({ type: 'listening', address: server.address() });
});
parentPort.on('message', (msg) => {
  if (msg === 'close') server.close(() => { parentPort.postMessage({ type: 'closed', accepted }); parentPort.close(); });
  if (msg === 'crash') throw new Error('intentional shard crash');
});
`;

interface Shard {
  worker: Worker;
  address: net.AddressInfo;
  exited: Promise<number>;
}

const liveWorkers = new Set<Worker>();

function startShard(fd: number, id: string, backlog = 128): Promise<Shard> {
  const worker = new Worker(SHARD_CODE, { eval: true, workerData: { fd, id, backlog } });
  liveWorkers.add(worker);
  worker.on('error', () => {}); // the 'crash' test provokes one; exit code is checked instead
  const exited = new Promise<number>((resolve) =>
    worker.once('exit', (code) => {
      liveWorkers.delete(worker);
      resolve(code);
    }),
  );
  return new Promise<Shard>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`shard ${id} did not start listening`)), 10_000);
    worker.once('message', (msg: { type: string; address?: net.AddressInfo; message?: string }) => {
      clearTimeout(timer);
      if (msg.type === 'listening' && msg.address) resolve({ worker, address: msg.address, exited });
      else reject(new Error(`shard ${id}: ${msg.message ?? msg.type}`));
    });
    void exited.then((code) => reject(new Error(`shard ${id} exited with ${code} before listening`)));
  });
}

async function stopAll(): Promise<void> {
  await Promise.all([...liveWorkers].map((w) => w.terminate()));
}

/** Opens one connection; resolves with the id of the shard that answered. */
function ask(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let data = '';
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => (data += d));
    sock.on('error', reject);
    sock.on('close', () => resolve(data));
    sock.setTimeout(10_000, () => sock.destroy(new Error('client timeout')));
  });
}

/** `total` connections, `parallel` at a time; returns how many each shard id answered. */
async function spread(host: string, port: number, total: number, parallel = 25): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let done = 0; done < total; done += parallel) {
    const batch = Array.from({ length: Math.min(parallel, total - done) }, () => ask(host, port));
    for (const id of await Promise.all(batch)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The kernel object behind an fd ("socket:[inode]"), or null if the fd is closed. */
function fdTarget(fd: number): string | null {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

function openFdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

function listenPlain(host: string, port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((s) => s.destroy());
    server.once('error', reject);
    server.listen({ host, port }, () => resolve(server));
  });
}

function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

function portOf(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

function assertSysError(fn: () => unknown, code: string, message?: RegExp): NativeError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof Error, `expected an Error with code ${code}`);
  const err = caught as NativeError;
  assert.equal(err.code, code, `code of: ${err.message}`);
  if (message) assert.match(err.message, message);
  return err;
}

test('two reuseport fds listened on by two worker threads share the connections', { skip }, async () => {
  const a = native();
  const fds = a.openReusePortListeners('127.0.0.1', 0, 2, 128);
  assert.equal(fds.length, 2);
  assert.notEqual(fds[0], fds[1]);
  const port = a.localPort(fds[0]);
  assert.ok(port > 0);
  assert.equal(a.localPort(fds[1]), port, 'port 0: both sockets share the picked port');
  try {
    const shards = [await startShard(fds[0], 'A'), await startShard(fds[1], 'B')];
    for (const s of shards) assert.equal(s.address.port, port);
    const counts = await spread('127.0.0.1', port, 200);
    assert.equal((counts.get('A') ?? 0) + (counts.get('B') ?? 0), 200, `answers: ${JSON.stringify([...counts])}`);
    assert.ok((counts.get('A') ?? 0) > 0 && (counts.get('B') ?? 0) > 0, `both shards accept: ${JSON.stringify([...counts])}`);
  } finally {
    await stopAll();
  }
});

test('a port held by a plain listener fails fast with EADDRINUSE', { skip }, async () => {
  const a = native();
  const server = await listenPlain('127.0.0.1');
  const port = portOf(server);
  try {
    const before = openFdCount();
    const t0 = process.hrtime.bigint();
    const err = assertSysError(
      () => a.openReusePortListeners('127.0.0.1', port, 4, 128),
      'EADDRINUSE',
      new RegExp(`^listen 127\\.0\\.0\\.1:${port}: `),
    );
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 1000, 'fails at once');
    assert.equal(err.errno, -98);
    assert.equal(err.syscall, 'bind');
    assert.equal(err.port, port);
    assert.equal(openFdCount(), before, 'nothing leaked');
  } finally {
    await closeServer(server);
  }
});

test('a port held by another reuseport group fails with EADDRINUSE (probe); probe=false joins it', { skip }, async () => {
  const a = native();
  const group = a.openReusePortListeners('127.0.0.1', 0, 2, 128);
  const port = a.localPort(group[0]);
  const extra: number[] = [];
  try {
    const before = openFdCount();
    assertSysError(() => a.openReusePortListeners('127.0.0.1', port, 2, 128), 'EADDRINUSE');
    assertSysError(() => a.openReusePortListeners('127.0.0.1', port, 1, 128, true), 'EADDRINUSE');
    assert.equal(openFdCount(), before, 'nothing leaked');
    // A plain listener cannot take the port either.
    await assert.rejects(listenPlain('127.0.0.1', port), { code: 'EADDRINUSE' });
    // Without the probe the caller deliberately joins the group (restart of a shard).
    extra.push(...a.openReusePortListeners('127.0.0.1', port, 1, 128, false));
    assert.equal(a.localPort(extra[0]), port);
  } finally {
    for (const fd of [...group, ...extra]) a.closeFd(fd);
  }
  // Once everything is closed the port is free again for a probing open.
  const again = a.openReusePortListeners('127.0.0.1', port, 1, 128);
  a.closeFd(again[0]);
});

test('IPv6 ::1 works', { skip }, async (t) => {
  const a = native();
  try {
    await closeServer(await listenPlain('::1'));
  } catch (err) {
    const reason = `::1 is not configured here (${(err as NodeJS.ErrnoException).code})`;
    console.log(`# native.test: ${reason}`);
    t.skip(reason);
    return;
  }
  const fds = a.openReusePortListeners('::1', 0, 2, 64);
  const port = a.localPort(fds[0]);
  assert.equal(a.localPort(fds[1]), port);
  try {
    const shards = [await startShard(fds[0], 'A', 64), await startShard(fds[1], 'B', 64)];
    assert.deepEqual(shards.map((s) => s.address.address), ['::1', '::1']);
    const counts = await spread('::1', port, 100);
    assert.equal((counts.get('A') ?? 0) + (counts.get('B') ?? 0), 100);
    assertSysError(() => a.openReusePortListeners('::1', port, 1, 64), 'EADDRINUSE', new RegExp(`^listen \\[::1\\]:${port}: `));
  } finally {
    await stopAll();
  }
});

test('localPort returns the bound port; errors carry errno codes', { skip }, async () => {
  const a = native();
  const probe = await listenPlain('127.0.0.1');
  const port = portOf(probe);
  await closeServer(probe);
  const fds = a.openReusePortListeners('127.0.0.1', port, 3, 16);
  try {
    assert.deepEqual(fds.map((fd) => a.localPort(fd)), [port, port, port]);
  } finally {
    for (const fd of fds) a.closeFd(fd);
  }
  assertSysError(() => a.localPort(fds[0]), 'EBADF');
  assertSysError(() => a.closeFd(fds[0]), 'EBADF');
  assertSysError(() => a.openReusePortListeners('localhost', 0, 1, 16), 'EINVAL', /not an IP address/);
  assertSysError(() => a.openReusePortListeners('[::1]', 0, 1, 16), 'EINVAL');
  assertSysError(() => a.openReusePortListeners('192.0.2.1', 0, 1, 16), 'EADDRNOTAVAIL', /^listen 192\.0\.2\.1:0: /);
  assert.throws(() => a.openReusePortListeners('127.0.0.1', 70000, 1, 16), TypeError);
  assert.throws(() => a.openReusePortListeners('127.0.0.1', 0, 0, 16), TypeError);
  assert.throws(() => a.localPort(-1), TypeError);
});

test('fd ownership: a worker that closes its server or dies closes the fd; a fresh one can rejoin', { skip }, async () => {
  const a = native();
  const fds = a.openReusePortListeners('127.0.0.1', 0, 3, 128);
  const port = a.localPort(fds[0]);
  const targets = fds.map(fdTarget);
  try {
    const [s1, s2, s3] = [await startShard(fds[0], 'A'), await startShard(fds[1], 'B'), await startShard(fds[2], 'C')];

    // Graceful server.close() inside the worker closes the fd the main thread created.
    const closed = new Promise((resolve) => s1.worker.on('message', (m: { type: string }) => m.type === 'closed' && resolve(m)));
    s1.worker.postMessage('close');
    await closed;
    await s1.exited;
    assert.notEqual(fdTarget(fds[0]), targets[0], 'fd closed by server.close() in the worker');

    // A crash (uncaught exception) closes it too.
    s2.worker.postMessage('crash');
    assert.equal(await s2.exited, 1);
    assert.notEqual(fdTarget(fds[1]), targets[1], 'fd closed when the worker crashed');

    // The surviving shard takes everything.
    assert.deepEqual([...(await spread('127.0.0.1', port, 20))], [['C', 20]]);

    // A restarted shard needs a new socket; probe=false because shard C still holds the port.
    const [fresh] = a.openReusePortListeners('127.0.0.1', port, 1, 128, false);
    await startShard(fresh, 'D');
    const counts = await spread('127.0.0.1', port, 100);
    assert.ok((counts.get('C') ?? 0) > 0 && (counts.get('D') ?? 0) > 0, `both shards accept: ${JSON.stringify([...counts])}`);

    // worker.terminate() closes it as well.
    const freshTarget = fdTarget(fresh);
    await s3.worker.terminate();
    assert.notEqual(fdTarget(fds[2]), targets[2], 'fd closed by worker.terminate()');
    assert.ok(freshTarget !== null);
  } finally {
    await stopAll();
  }
});

test('a fd given to a worker that never listens stays open (the main thread must close it)', { skip }, async () => {
  const a = native();
  const [fd] = a.openReusePortListeners('127.0.0.1', 0, 1, 16);
  const target = fdTarget(fd);
  const worker = new Worker('void require("node:worker_threads").workerData', { eval: true, workerData: { fd } });
  await new Promise((resolve) => worker.once('exit', resolve));
  assert.equal(fdTarget(fd), target);
  a.closeFd(fd);
});

test('the addon loads in a worker thread too', { skip }, async () => {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const a = require(workerData.path);
    parentPort.postMessage(Object.keys(a).sort());`;
  const worker = new Worker(code, { eval: true, workerData: { path: NATIVE_ADDON_PATH } });
  const keys = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  assert.deepEqual(keys, [
    'closeFd', 'getOriginalDst', 'localPort', 'openReusePortListeners',
    'relayAdd', 'relayCloseAll', 'relayCollect', 'relayOpenCount',
  ]);
  await worker.terminate();
});

test('getOriginalDst on a connection that was not redirected throws a coded error', { skip }, async () => {
  const a = native();
  let accepted: net.Socket | undefined;
  const gotIt = new Promise<void>((resolve) => {
    const server = net.createServer((sock) => {
      accepted = sock;
      resolve();
    });
    server.listen(0, '127.0.0.1', () => {
      const client = net.connect(portOf(server), '127.0.0.1');
      client.on('error', () => {});
      void gotIt.then(() => {
        client.destroy();
        server.close();
      });
    });
  });
  await gotIt;
  assert.ok(accepted);
  const fd = (accepted as unknown as { _handle: { fd: number } })._handle.fd;
  assert.ok(fd >= 0);
  // ENOENT when conntrack knows the flow but it was not NATed, ENOPROTOOPT without conntrack.
  let err: NativeError | undefined;
  try {
    a.getOriginalDst(fd);
  } catch (e) {
    err = e as NativeError;
  }
  accepted.destroy();
  assert.ok(err, 'throws');
  assert.ok(['ENOENT', 'ENOPROTOOPT'].includes(err.code), `code ${err.code}`);
  assert.equal(err.syscall, 'getsockopt');
  assertSysError(() => a.getOriginalDst(999_999), 'EBADF');
});

test('FAULT_DISABLE_NATIVE=1 forces the one-shard fallback', () => {
  const saved = process.env.FAULT_DISABLE_NATIVE;
  process.env.FAULT_DISABLE_NATIVE = '1';
  try {
    assert.deepEqual(loadNative(), { ok: false, reason: 'disabled by FAULT_DISABLE_NATIVE' });
  } finally {
    if (saved === undefined) delete process.env.FAULT_DISABLE_NATIVE;
    else process.env.FAULT_DISABLE_NATIVE = saved;
  }
  assert.equal(loadNative().ok, loaded.ok);
});
