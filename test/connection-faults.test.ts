// The connection faults toxiproxy users rely on — reset-peer, slow-close, limit-data, timeout —
// first as stage logic on a fake clock, then over real sockets through the real `fault run` CLI:
// TCP mappings, and HTTP exchanges through the forward proxy.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import { UsageError } from '../src/cli/usage-error';
import type { FaultSpec, LimitDataFaultSpec, TimeoutFaultSpec } from '../src/config/types';
import type { ConnectionControl, Flow, FlowUnit, StageContext } from '../src/faults/fault';
import { createRandom } from '../src/faults/random';
import { type AttachedFaults, attachFaults } from '../src/faults/registry';
import type { TimerHandle, TimerWheel } from '../src/time/timer-wheel';
import { type FaultProcess, startFault } from './support/fault-process';
import { listen } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Stage logic on a fake clock
// ---------------------------------------------------------------------------------------------

/** Just enough of a TimerWheel: time moves only when the test says so. */
class FakeWheel {
  private time = 0;
  private timers: Array<{ at: number; callback: () => void; cancelled: boolean }> = [];

  now(): number {
    return this.time;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    return this.scheduleAt(this.time + delayMs, callback);
  }

  scheduleAt(at: number, callback: () => void): TimerHandle {
    const timer = { at, callback, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  advance(ms: number): void {
    this.time += ms;
    for (const timer of this.timers.filter((t) => !t.cancelled && t.at <= this.time)) {
      timer.cancelled = true;
      timer.callback();
    }
  }
}

/** One fake connection: what the faults did to it, and what left each flow when. */
class FakeConnection implements ConnectionControl {
  readonly wheel = new FakeWheel();
  readonly actions: string[] = [];
  readonly applied: string[] = [];
  readonly context: StageContext = {
    random: createRandom(7),
    wheel: this.wheel as unknown as TimerWheel,
    connection: this,
    applied: (kind, injectedMs) => this.applied.push(`${kind}:${injectedMs}`),
  };
  readonly faults: AttachedFaults;

  constructor(specs: FaultSpec[]) {
    this.faults = attachFaults(
      specs.map((spec) => ({ id: spec.kind, spec })),
      this.context,
    );
  }

  reset(): void {
    this.actions.push(`reset@${this.wheel.now()}`);
  }

  close(): void {
    this.actions.push(`close@${this.wheel.now()}`);
  }

  /** Runs one unit through the flow's stages; returns what came out, with release times. */
  send(flow: Flow, unit: FlowUnit): string[] {
    const out: string[] = [];
    const collect = (u: FlowUnit, at: number) => out.push(`${describeUnit(u)}@${at}`);
    const stages = this.faults.stages[flow];
    const chain = stages.reduceRight<(u: FlowUnit, at: number) => void>(
      (next, stage) => (u, at) => stage.accept(u, at, next),
      collect,
    );
    chain(unit, this.wheel.now());
    return out;
  }
}

function describeUnit(unit: FlowUnit): string {
  switch (unit.type) {
    case 'data':
      return `data(${unit.chunk.length})`;
    case 'abort':
      return `abort(${unit.how})`;
    default:
      return unit.type;
  }
}

const data = (size: number): FlowUnit => ({ type: 'data', chunk: Buffer.alloc(size, 0x61) });
const marker: FlowUnit = { type: 'marker', run: () => undefined };

describe('connection fault stages (fake clock)', () => {
  it('reset-peer resets the connection once, T ms after it opened, and not after dispose', () => {
    const connection = new FakeConnection([{ kind: 'reset-peer', afterMs: 300, probability: 1 }]);
    connection.wheel.advance(299);
    assert.deepEqual(connection.actions, []);
    connection.wheel.advance(1);
    assert.deepEqual(connection.actions, ['reset@300']);
    assert.deepEqual(connection.applied, ['reset-peer:0']);

    const disposed = new FakeConnection([{ kind: 'reset-peer', afterMs: 300, probability: 1 }]);
    disposed.faults.dispose();
    disposed.wheel.advance(1000);
    assert.deepEqual(disposed.actions, []);
  });

  it('reset-peer switched off by its schedule before it is due leaves the connection alone', () => {
    const connection = new FakeConnection([{ kind: 'reset-peer', afterMs: 300, probability: 1 }]);
    connection.faults.deactivateAllBut(new Set());
    connection.wheel.advance(1000);
    assert.deepEqual(connection.actions, []);
  });

  it('slow-close holds back only the end of the selected flow', () => {
    const connection = new FakeConnection([
      { kind: 'slow-close', side: 'server', direction: 'ingress', delayMs: 500, probability: 1 },
    ]);
    assert.deepEqual(connection.send('toClient', data(10)), ['data(10)@0']);
    assert.deepEqual(connection.send('toClient', marker), ['marker@0']);
    assert.deepEqual(connection.send('toClient', { type: 'end' }), ['end@500']);
    assert.deepEqual(connection.send('toUpstream', { type: 'end' }), ['end@0']);
    assert.deepEqual(connection.applied, ['slow-close:500']);
  });

  const limit = (bytes: number, direction: LimitDataFaultSpec['direction']): LimitDataFaultSpec => ({
    kind: 'limit-data',
    side: 'server',
    direction,
    bytes,
    probability: 1,
  });

  it('limit-data cuts the chunk that crosses the limit, closes, then lets nothing through', () => {
    const connection = new FakeConnection([limit(100, 'ingress')]);
    assert.deepEqual(connection.send('toClient', marker), ['marker@0']);
    assert.deepEqual(connection.send('toClient', data(60)), ['data(60)@0']);
    assert.deepEqual(connection.send('toClient', data(60)), ['data(40)@0', 'abort(close)@0']);
    assert.deepEqual(connection.send('toClient', data(5)), []);
    assert.deepEqual(connection.send('toClient', { type: 'end' }), []);
    assert.deepEqual(connection.applied, ['limit-data:0']);
  });

  it('limit-data: a chunk that ends exactly on the limit closes right behind it', () => {
    const connection = new FakeConnection([limit(100, 'ingress')]);
    assert.deepEqual(connection.send('toClient', data(100)), ['data(100)@0', 'abort(close)@0']);
  });

  it('limit-data counts each connection on its own, and both flows of one connection together', () => {
    const first = new FakeConnection([limit(100, 'both')]);
    const second = new FakeConnection([limit(100, 'both')]);
    assert.deepEqual(first.send('toUpstream', data(70)), ['data(70)@0']);
    assert.deepEqual(second.send('toClient', data(99)), ['data(99)@0']);
    assert.deepEqual(first.send('toClient', data(70)), ['data(30)@0', 'abort(close)@0']);
    assert.deepEqual(second.send('toUpstream', data(1)), ['data(1)@0', 'abort(close)@0']);
  });

  const timeout = (afterMs: number): TimeoutFaultSpec => ({
    kind: 'timeout',
    side: 'server',
    direction: 'ingress',
    afterMs,
    probability: 1,
  });

  it('timeout swallows every unit of the selected flow and closes after T', () => {
    const connection = new FakeConnection([timeout(500)]);
    assert.deepEqual(connection.send('toClient', marker), []);
    assert.deepEqual(connection.send('toClient', data(10)), []);
    assert.deepEqual(connection.send('toClient', { type: 'end' }), []);
    assert.deepEqual(connection.send('toClient', { type: 'abort', how: 'reset' }), ['abort(reset)@0']);
    assert.deepEqual(connection.send('toUpstream', data(10)), ['data(10)@0']);
    connection.wheel.advance(499);
    assert.deepEqual(connection.actions, []);
    connection.wheel.advance(1);
    assert.deepEqual(connection.actions, ['close@500']);
    assert.deepEqual(connection.applied, ['timeout:0']);
  });

  it('timeout 0 never closes', () => {
    const connection = new FakeConnection([timeout(0)]);
    connection.send('toClient', data(10));
    connection.wheel.advance(3_600_000);
    assert.deepEqual(connection.actions, []);
  });

  it('timeout switched off: closes a connection that lost data, lets an idle one flow again', () => {
    const stalled = new FakeConnection([timeout(0)]);
    stalled.send('toClient', data(10));
    stalled.faults.deactivateAllBut(new Set());
    assert.deepEqual(stalled.actions, ['close@0']);

    const idle = new FakeConnection([timeout(500)]);
    idle.faults.deactivateAllBut(new Set());
    assert.deepEqual(idle.send('toClient', data(10)), ['data(10)@0']);
    idle.wheel.advance(1000);
    assert.deepEqual(idle.actions, []);
  });

  it('probability 0 attaches nothing at all', () => {
    const connection = new FakeConnection([
      { kind: 'reset-peer', afterMs: 0, probability: 0 },
      { kind: 'slow-close', side: 'server', direction: 'both', delayMs: 500, probability: 0 },
      { ...limit(1, 'both'), probability: 0 },
      { ...timeout(1), probability: 0 },
    ]);
    assert.equal(connection.faults.none, true);
    connection.wheel.advance(1000);
    assert.deepEqual(connection.actions, []);
    assert.deepEqual(connection.applied, []);
  });
});

// ---------------------------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------------------------

describe('connection fault flags', () => {
  const specOf = (args: string[], env: Record<string, string> = {}) => {
    const faults = buildRunConfig(args, env).faults;
    assert.equal(faults.length, 1);
    return faults[0].spec;
  };

  it('defaults', () => {
    assert.deepEqual(specOf(['--with-reset-peer']), { kind: 'reset-peer', afterMs: 0, probability: 1 });
    assert.deepEqual(specOf(['--with-slow-close']), {
      kind: 'slow-close', side: 'server', direction: 'ingress', delayMs: 1000, probability: 1,
    });
    assert.deepEqual(specOf(['--with-limit-data', '--limit-data-bytes', '100']), {
      kind: 'limit-data', side: 'server', direction: 'ingress', bytes: 100, probability: 1,
    });
    assert.deepEqual(specOf(['--with-timeout']), {
      kind: 'timeout', side: 'server', direction: 'ingress', afterMs: 0, probability: 1,
    });
  });

  it('times are bare milliseconds or durations, from flags or FAULT_* variables', () => {
    assert.deepEqual(specOf(['--with-reset-peer', '--reset-peer-after', '250']), { kind: 'reset-peer', afterMs: 250, probability: 1 });
    assert.deepEqual(specOf(['--with-reset-peer', '--reset-peer-after', '2s']), { kind: 'reset-peer', afterMs: 2000, probability: 1 });
    const env = {
      FAULT_WITH_TIMEOUT: 'true',
      FAULT_TIMEOUT_AFTER: '1m',
      FAULT_TIMEOUT_DIRECTION: 'both',
      FAULT_TIMEOUT_PROBABILITY: '0.25',
    };
    assert.deepEqual(specOf([], env), { kind: 'timeout', side: 'server', direction: 'both', afterMs: 60_000, probability: 0.25 });
    assert.deepEqual(specOf([], { FAULT_WITH_SLOW_CLOSE: '1', FAULT_SLOW_CLOSE_DELAY: '1500ms' }), {
      kind: 'slow-close', side: 'server', direction: 'ingress', delayMs: 1500, probability: 1,
    });
  });

  it('rejects bad values with a message naming the flag', () => {
    const rejects = (args: string[], mentions: string) =>
      assert.throws(() => buildRunConfig(args, {}), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.ok(error.message.includes(mentions), error.message);
        return true;
      });
    rejects(['--with-limit-data'], '--limit-data-bytes');
    rejects(['--with-limit-data', '--limit-data-bytes', '0'], '--limit-data-bytes');
    rejects(['--with-limit-data', '--limit-data-bytes', '1.5'], '--limit-data-bytes');
    rejects(['--with-reset-peer', '--reset-peer-probability', '1.5'], '--reset-peer-probability');
    rejects(['--with-slow-close', '--slow-close-delay', '-5'], '--slow-close-delay');
    rejects(['--with-timeout', '--timeout-after', '5 parsecs'], '--timeout-after');
    rejects(['--with-timeout', '--timeout-side', 'middle'], '--timeout-side');
  });
});

// ---------------------------------------------------------------------------------------------
// Real sockets through `fault run`
// ---------------------------------------------------------------------------------------------

/** A TCP origin running `onConnection` for each accepted socket (the n-th one gets index n). */
async function startOrigin(
  onConnection: (socket: net.Socket, index: number) => void,
): Promise<{ server: net.Server; port: number; close(): void }> {
  let count = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket, count++);
  });
  const port = await listen(server);
  return {
    server,
    port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

interface ClientOutcome {
  received: Buffer;
  /**
   * performance.now() just before connecting. Times below count from it: the proxy cannot see
   * the connection earlier, so a fault can never look early because of this process's own lag.
   */
  startedAt: number;
  /** ms after startedAt of the first byte, the end (FIN) and the error, when they happened. */
  firstByteMs?: number;
  endMs?: number;
  errorMs?: number;
  errorCode?: string;
}

/**
 * Connects to `port`, optionally sends `payload`, and collects what comes back until the socket
 * closes or `waitMs` passed (then it is destroyed).
 */
function observeClient(port: number, options: { payload?: string; waitMs?: number } = {}): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const outcome: ClientOutcome = { received: Buffer.alloc(0), startedAt: performance.now() };
    const since = () => performance.now() - outcome.startedAt;
    const socket = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      outcome.received = Buffer.concat(chunks);
      resolve(outcome);
    };
    socket.on('connect', () => {
      if (options.payload !== undefined) socket.write(options.payload);
      if (options.waitMs !== undefined) {
        timer = setTimeout(() => {
          socket.destroy();
        }, options.waitMs);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      outcome.firstByteMs ??= since();
      chunks.push(chunk);
    });
    socket.on('end', () => (outcome.endMs = since()));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      outcome.errorMs = since();
      outcome.errorCode = error.code;
    });
    socket.on('close', done);
  });
}

/** `fault run` with one TCP mapping to `originPort` and the given fault flags. */
function startMapping(originPort: number, faultArgs: string[]): Promise<FaultProcess> {
  return startFault([
    '--disable-http-proxy',
    '--workers', '1',
    '--proxy', `127.0.0.1:0=127.0.0.1:${originPort}`,
    ...faultArgs,
  ]);
}

describe('reset-peer over a TCP mapping', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let fault: FaultProcess;
  const originErrors: string[] = [];

  before(async () => {
    // Greets, then keeps the connection open: only the fault can end it.
    origin = await startOrigin((socket) => {
      socket.on('error', (error: NodeJS.ErrnoException) => originErrors.push(error.code ?? 'error'));
      socket.write('hello');
    });
    fault = await startMapping(origin.port, ['--with-reset-peer', '--reset-peer-after', '300ms']);
  });
  after(async () => {
    await fault?.stop();
    origin?.close();
  });

  it('the client sees ECONNRESET 300 ms after it connected, the origin a reset too', async () => {
    const outcome = await observeClient(fault.mappingPorts[0], { waitMs: 3000 });
    assert.equal(outcome.received.toString(), 'hello');
    assert.equal(outcome.errorCode, 'ECONNRESET');
    assert.equal(outcome.endMs, undefined, 'a reset, not a FIN');
    assert.ok(outcome.errorMs! >= 300 && outcome.errorMs! < 450, `reset after ${outcome.errorMs} ms`);
    await sleep(50);
    assert.deepEqual(originErrors, ['ECONNRESET']);
  });

  it('the summary counts the reset', async () => {
    const { stdout } = await fault.stop();
    assert.match(stdout, /reset-peer ×1/);
  });
});

describe('slow-close over a TCP mapping', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let fault: FaultProcess;

  let sentAt = 0;

  before(async () => {
    origin = await startOrigin((socket) => {
      sentAt = performance.now();
      socket.end('all of it');
    });
    fault = await startMapping(origin.port, ['--with-slow-close', '--slow-close-delay', '500']);
  });
  after(async () => {
    await fault?.stop();
    origin?.close();
  });

  it('the data arrives at once, the FIN ≥ 500 ms after the origin sent both', async () => {
    const outcome = await observeClient(fault.mappingPorts[0], { waitMs: 3000 });
    assert.equal(outcome.received.toString(), 'all of it');
    assert.equal(outcome.errorCode, undefined);
    // Measured from the origin's send, on this process's clock: client-side event-loop noise
    // can only make the FIN look later, never earlier.
    const dataAfter = outcome.startedAt + outcome.firstByteMs! - sentAt;
    const finAfter = outcome.startedAt + outcome.endMs! - sentAt;
    assert.ok(dataAfter < 100, `data ${dataAfter} ms after it was sent`);
    assert.ok(finAfter >= 500 && finAfter < 750, `FIN ${finAfter} ms after it was sent`);
  });
});

describe('limit-data over a TCP mapping', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let fault: FaultProcess;

  before(async () => {
    origin = await startOrigin((socket, index) => {
      if (index === 0) {
        // 150 bytes in three writes: the second one crosses the 100-byte limit.
        socket.write(Buffer.alloc(60, 'a'));
        setTimeout(() => socket.write(Buffer.alloc(60, 'b')), 30);
        setTimeout(() => socket.write(Buffer.alloc(30, 'c')), 60);
      } else {
        socket.end(Buffer.alloc(50, 'd'));
      }
    });
    fault = await startMapping(origin.port, ['--with-limit-data', '--limit-data-bytes', '100']);
  });
  after(async () => {
    await fault?.stop();
    origin?.close();
  });

  it('connection A gets exactly 100 bytes then a plain close; B, opened afterwards, all its 50', async () => {
    const a = await observeClient(fault.mappingPorts[0], { waitMs: 3000 });
    assert.equal(a.received.toString(), 'a'.repeat(60) + 'b'.repeat(40));
    assert.equal(a.errorCode, undefined);
    assert.ok(a.endMs !== undefined && a.endMs < 1000, `closed after ${a.endMs} ms`);

    const b = await observeClient(fault.mappingPorts[0], { waitMs: 3000 });
    assert.equal(b.received.toString(), 'd'.repeat(50));
    assert.equal(b.errorCode, undefined);
    assert.ok(b.endMs !== undefined, 'B ends normally');
  });
});

describe('timeout over a TCP mapping', () => {
  let origin: Awaited<ReturnType<typeof startOrigin>>;
  let stalls: FaultProcess;
  let closes: FaultProcess;

  before(async () => {
    // Talks right away and keeps the connection open.
    origin = await startOrigin((socket) => socket.write('you will never see this'));
    stalls = await startMapping(origin.port, ['--with-timeout']);
    closes = await startMapping(origin.port, ['--with-timeout', '--timeout-after', '500ms']);
  });
  after(async () => {
    await stalls?.stop();
    await closes?.stop();
    origin?.close();
  });

  it('timeout 0 stalls: nothing received, no end and no error within 1.5 s', async () => {
    const outcome = await observeClient(stalls.mappingPorts[0], { waitMs: 1500 });
    assert.equal(outcome.received.length, 0);
    assert.equal(outcome.endMs, undefined);
    assert.equal(outcome.errorCode, undefined);
  });

  it('timeout 500ms: nothing received, the connection is closed after about 500 ms', async () => {
    const outcome = await observeClient(closes.mappingPorts[0], { waitMs: 3000 });
    assert.equal(outcome.received.length, 0);
    assert.equal(outcome.errorCode, undefined);
    assert.ok(outcome.endMs! >= 500 && outcome.endMs! < 750, `closed after ${outcome.endMs} ms`);
  });
});

describe('probability', () => {
  const PAYLOAD = 'x'.repeat(1000);
  let origin: Awaited<ReturnType<typeof startOrigin>>;

  before(async () => {
    origin = await startOrigin((socket) => socket.end(PAYLOAD));
  });
  after(() => origin?.close());

  /** Opens `count` connections, `parallel` at a time. */
  async function manyClients(port: number, count: number, parallel: number): Promise<ClientOutcome[]> {
    const outcomes: ClientOutcome[] = [];
    for (let started = 0; started < count; started += parallel) {
      const size = Math.min(parallel, count - started);
      const batch = Array.from({ length: size }, () => observeClient(port, { waitMs: 5000 }));
      outcomes.push(...(await Promise.all(batch)));
    }
    return outcomes;
  }

  it('at 0 the faults do nothing at all: 1000 connections, no reset, every byte arrives', async () => {
    const fault = await startMapping(origin.port, [
      '--with-reset-peer', '--reset-peer-probability', '0',
      '--with-limit-data', '--limit-data-bytes', '10', '--limit-data-probability', '0',
      '--with-timeout', '--timeout-probability', '0',
      '--with-slow-close', '--slow-close-delay', '10s', '--slow-close-probability', '0',
    ]);
    try {
      const outcomes = await manyClients(fault.mappingPorts[0], 1000, 50);
      const errors = outcomes.filter((o) => o.errorCode !== undefined).map((o) => o.errorCode);
      assert.deepEqual(errors, []);
      assert.equal(outcomes.filter((o) => o.received.toString() === PAYLOAD && o.endMs !== undefined).length, 1000);
      const { stdout } = await fault.stop();
      assert.doesNotMatch(stdout, /reset-peer ×|limit-data ×|timeout ×|slow-close ×/);
    } finally {
      await fault.stop();
    }
  });

  it('at 0.5 about half of the connections are reset, the same ones again with the same --seed', async () => {
    const resetsWithSeed = async (): Promise<string> => {
      const fault = await startMapping(origin.port, [
        '--seed', '42',
        '--with-reset-peer', '--reset-peer-after', '0', '--reset-peer-probability', '0.5',
      ]);
      try {
        // One at a time so that connections are numbered in the same order on both runs.
        const outcomes = await manyClients(fault.mappingPorts[0], 100, 1);
        const symbol = (o: ClientOutcome) => (o.errorCode === 'ECONNRESET' ? 'R' : o.received.toString() === PAYLOAD ? '.' : '?');
        return outcomes.map(symbol).join('');
      } finally {
        await fault.stop();
      }
    };
    const first = await resetsWithSeed();
    const resets = first.split('R').length - 1;
    assert.ok(!first.includes('?'), first);
    assert.ok(resets >= 30 && resets <= 70, `${resets} resets out of 100: ${first}`);
    assert.equal(await resetsWithSeed(), first);
  });
});

// ---------------------------------------------------------------------------------------------
// HTTP exchanges through the forward proxy
// ---------------------------------------------------------------------------------------------

/** Sends one absolute-URI request through the proxy over a raw socket; reports what happened. */
function rawProxyRequest(proxyPort: number, url: string): Promise<ClientOutcome> {
  return new Promise((resolve) => {
    const target = new URL(url);
    const outcome: ClientOutcome = { received: Buffer.alloc(0), startedAt: performance.now() };
    const since = () => performance.now() - outcome.startedAt;
    const socket = net.connect({ port: proxyPort, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.write(`GET ${url} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => (outcome.endMs = since()));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      outcome.errorMs = since();
      outcome.errorCode = error.code;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      outcome.received = Buffer.concat(chunks);
      resolve(outcome);
    });
  });
}

describe('connection faults on HTTP exchanges (forward proxy)', () => {
  let origin: http.Server;
  let originPort: number;

  before(async () => {
    origin = http.createServer((req, res) => {
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 1000);
        return;
      }
      // 300 bytes of body in three writes.
      res.writeHead(200, { 'content-length': '300' });
      res.write(Buffer.alloc(100, 'a'));
      setTimeout(() => res.write(Buffer.alloc(100, 'b')), 20);
      setTimeout(() => res.end(Buffer.alloc(100, 'c')), 40);
    });
    originPort = await listen(origin);
  });
  after(() => {
    origin?.closeAllConnections();
    origin?.close();
  });

  const proxyWith = (faultArgs: string[]) =>
    startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*', ...faultArgs]);

  it('reset-peer: the request fails with a reset about T after it was sent', async () => {
    const fault = await proxyWith(['--with-reset-peer', '--reset-peer-after', '200']);
    try {
      const outcome = await rawProxyRequest(fault.proxyPort!, `http://127.0.0.1:${originPort}/slow`);
      assert.equal(outcome.errorCode, 'ECONNRESET');
      assert.equal(outcome.received.length, 0);
      assert.ok(outcome.errorMs! >= 200 && outcome.errorMs! < 450, `reset after ${outcome.errorMs} ms`);

      // And as a Node HTTP client sees it.
      const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
        const path = `http://127.0.0.1:${originPort}/slow`;
        const req = http.request({ host: '127.0.0.1', port: fault.proxyPort, path });
        req.on('response', () => resolve(new Error('got a response') as NodeJS.ErrnoException));
        req.on('error', resolve);
        req.end();
      });
      assert.equal(error.code, 'ECONNRESET');
    } finally {
      await fault.stop();
    }
  });

  it('limit-data: the response body is cut at the limit and the connection closed', async () => {
    const fault = await proxyWith(['--with-limit-data', '--limit-data-bytes', '150']);
    try {
      const outcome = await rawProxyRequest(fault.proxyPort!, `http://127.0.0.1:${originPort}/`);
      const text = outcome.received.toString('latin1');
      assert.match(text, /^HTTP\/1\.1 200 /);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      assert.equal(body, 'a'.repeat(100) + 'b'.repeat(50));
      assert.equal(outcome.errorCode, undefined);
      assert.ok(outcome.endMs !== undefined, 'a plain close');
    } finally {
      await fault.stop();
    }
  });

  it('timeout: no response at all, the client connection is closed after T', async () => {
    const fault = await proxyWith(['--with-timeout', '--timeout-after', '300ms']);
    try {
      const outcome = await rawProxyRequest(fault.proxyPort!, `http://127.0.0.1:${originPort}/`);
      assert.equal(outcome.received.length, 0);
      assert.ok(outcome.endMs! >= 300 && outcome.endMs! < 550, `closed after ${outcome.endMs} ms`);
    } finally {
      await fault.stop();
    }
  });
});
