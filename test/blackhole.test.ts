// The blackhole fault: the stage swallows its flow (but not aborts), counts once per connection
// and resets the connection when its window closes; over real sockets a TCP mapping and a
// forwarded HTTP request get no answer while their connections stay open, passthrough hosts are
// still served, and a schedule window that ends resets the connections opened inside it.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import type { BlackholeFaultSpec, Direction, Side } from '../src/config/types';
import { blackholeFault } from '../src/faults/blackhole';
import type { FlowUnit, StageContext } from '../src/faults/fault';
import { createRandom } from '../src/faults/random';
import type { TimerWheel } from '../src/time/timer-wheel';
import { type FaultProcess, startFault } from './support/fault-process';
import { listen, startHttpOrigin } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function spec(side: Side, direction: Direction): BlackholeFaultSpec {
  return { kind: 'blackhole', side, direction };
}

describe('blackhole stage', () => {
  function contextWithLog() {
    const log: Array<[string, number]> = [];
    let resets = 0;
    const context: StageContext = {
      random: createRandom(1),
      wheel: {} as TimerWheel, // the blackhole never arms timers
      connection: { reset: () => void resets++, close: () => assert.fail('a blackhole never closes') },
      applied: (kind, ms) => void log.push([kind, ms]),
    };
    return { context, log, resets: () => resets };
  }

  it('touches exactly the flows of its side and direction', () => {
    const { context } = contextWithLog();
    const flows = (s: BlackholeFaultSpec) =>
      (['toUpstream', 'toClient'] as const).filter((flow) => blackholeFault.createStage!(s, flow, context) !== undefined);
    assert.deepEqual(flows(spec('server', 'ingress')), ['toClient']);
    assert.deepEqual(flows(spec('server', 'egress')), ['toUpstream']);
    assert.deepEqual(flows(spec('client', 'ingress')), ['toUpstream']);
    assert.deepEqual(flows(spec('client', 'egress')), ['toClient']);
    assert.deepEqual(flows(spec('client', 'both')), ['toUpstream', 'toClient']);
  });

  it('swallows data, markers and the end; lets an abort through', () => {
    const { context } = contextWithLog();
    const stage = blackholeFault.createStage!(spec('server', 'ingress'), 'toClient', context)!;
    const forwarded: FlowUnit[] = [];
    let markerRan = false;
    const next = (unit: FlowUnit) => void forwarded.push(unit);
    stage.accept({ type: 'marker', run: () => (markerRan = true) }, 0, next);
    stage.accept({ type: 'data', chunk: Buffer.from('hello') }, 1, next);
    stage.accept({ type: 'end' }, 2, next);
    assert.deepEqual(forwarded, []);
    assert.equal(markerRan, false);
    stage.accept({ type: 'abort', how: 'reset' }, 3, next);
    assert.deepEqual(forwarded, [{ type: 'abort', how: 'reset' }]);
  });

  it('is counted once per connection, even on both flows, and only once it swallowed something', () => {
    const { context, log } = contextWithLog();
    const up = blackholeFault.createStage!(spec('server', 'both'), 'toUpstream', context)!;
    const down = blackholeFault.createStage!(spec('server', 'both'), 'toClient', context)!;
    assert.deepEqual(log, []);
    for (let i = 0; i < 3; i++) {
      up.accept({ type: 'data', chunk: Buffer.from('x') }, i, () => assert.fail('nothing leaves'));
      down.accept({ type: 'data', chunk: Buffer.from('y') }, i, () => assert.fail('nothing leaves'));
    }
    assert.deepEqual(log, [['blackhole', 0]]);
    const other = contextWithLog();
    blackholeFault.createStage!(spec('server', 'both'), 'toClient', other.context)!.accept({ type: 'end' }, 0, () => undefined);
    assert.deepEqual(other.log, [['blackhole', 0]]);
  });

  it('resets the connection when its schedule window closes', () => {
    const { context, resets } = contextWithLog();
    const stage = blackholeFault.createStage!(spec('server', 'ingress'), 'toClient', context)!;
    assert.equal(resets(), 0);
    stage.deactivate!();
    assert.equal(resets(), 1);
  });

  it('flags: defaults server/ingress, env vars, one-line errors', () => {
    const fromFlags = buildRunConfig(['--with-blackhole'], {}).faults[0];
    assert.deepEqual(fromFlags.spec, spec('server', 'ingress'));
    const fromEnv = buildRunConfig([], {
      FAULT_WITH_BLACKHOLE: 'true',
      FAULT_BLACKHOLE_SIDE: 'client',
      FAULT_BLACKHOLE_DIRECTION: 'both',
      FAULT_BLACKHOLE_SCHED: 'start:1s,duration:2s',
    }).faults[0];
    assert.deepEqual(fromEnv.spec, spec('client', 'both'));
    assert.deepEqual(fromEnv.schedule, [{ startMs: 1000, endMs: 3000 }]);
    assert.throws(() => buildRunConfig(['--with-blackhole', '--blackhole-direction', 'sideways'], {}), /--blackhole-direction: Invalid value 'sideways'/);
    assert.match(blackholeFault.describe(spec('server', 'ingress')), /^blackhole, server side, ingress: the upstream's replies vanish/);
  });
});

/** Connects, sends `payload`, and reports everything that happens on the socket. */
function openAndSend(port: number, payload: string) {
  const socket = net.connect({ port, host: '127.0.0.1' });
  const events: string[] = [];
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    received += d;
    events.push('data');
  });
  socket.on('end', () => events.push('end'));
  const closed = new Promise<string>((resolve) => {
    socket.on('error', (e: NodeJS.ErrnoException) => events.push(`error ${e.code}`));
    socket.on('close', () => resolve(events.join(',')));
  });
  socket.write(payload);
  return { socket, events, received: () => received, closed };
}

/** Echoes what it gets and remembers the total it received. */
async function startEcho(): Promise<{ server: net.Server; port: number; received: () => string }> {
  let received = '';
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined); // the proxy resets it when a window ends
    socket.on('data', (d) => (received += d));
    socket.pipe(socket);
  });
  return { server, port: await listen(server), received: () => received };
}

/** A GET through the forward proxy; resolves 'timeout' if nothing came back in `ms`. */
function getThroughProxy(proxyPort: number, url: string, ms: number): Promise<{ status?: number; body?: string; outcome: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: proxyPort, path: url, agent: false, timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, outcome: 'response' }));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ outcome: 'timeout' });
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ outcome: `error ${e.code}` }));
  });
}

describe('blackhole on a TCP mapping (server side, ingress)', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let fault: FaultProcess;

  before(async () => {
    echo = await startEcho();
    fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${echo.port}`, '--with-blackhole']);
  });
  after(async () => {
    await fault?.stop();
    echo?.server.close();
  });

  it('the upstream gets the bytes, its echo vanishes, and the connection stays open', async () => {
    const client = openAndSend(fault.mappingPorts[0], 'hello');
    await sleep(1000);
    assert.equal(echo.received(), 'hello', 'client → server still flows');
    assert.deepEqual(client.events, [], 'no data, no FIN, no RST within 1 s');
    assert.equal(client.socket.destroyed, false);
    // Still writable: more bytes keep reaching the server, still nothing comes back.
    client.socket.write(' again');
    await sleep(200);
    assert.equal(echo.received(), 'hello again');
    assert.deepEqual(client.events, []);
    client.socket.destroy();
  });

  it('the summary counts one blackholed connection', async () => {
    const { stdout, stderr } = await fault.stop();
    assert.match(stdout, /Faults\s+blackhole ×1\b/);
    assert.doesNotMatch(stderr, /crashed/);
  });
});

describe('blackhole on plain HTTP forwarding', () => {
  let faulted: Awaited<ReturnType<typeof startHttpOrigin>>;
  let other: Awaited<ReturnType<typeof startHttpOrigin>>;
  let faultedRequests = 0;

  before(async () => {
    faulted = await startHttpOrigin((_req, res) => {
      faultedRequests++;
      res.end('from the faulted origin');
    });
    other = await startHttpOrigin((_req, res) => res.end('from the passthrough origin'));
  });
  after(async () => {
    await faulted?.close();
    await other?.close();
  });

  it("--upstream '*': the request reaches the upstream but is never answered", async () => {
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*', '--with-blackhole']);
    try {
      faultedRequests = 0;
      const result = await getThroughProxy(fault.proxyPort!, `http://127.0.0.1:${faulted.port}/`, 1000);
      assert.equal(result.outcome, 'timeout', JSON.stringify(result));
      assert.equal(faultedRequests, 1, 'server ingress: the request went up, the response head vanished');
    } finally {
      const { stderr } = await fault.stop();
      assert.doesNotMatch(stderr, /crashed/);
    }
  });

  it('client side: the upstream is never contacted', async () => {
    const fault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*',
      '--with-blackhole', '--blackhole-side', 'client',
    ]);
    try {
      faultedRequests = 0;
      const result = await getThroughProxy(fault.proxyPort!, `http://127.0.0.1:${faulted.port}/`, 1000);
      assert.equal(result.outcome, 'timeout', JSON.stringify(result));
      assert.equal(faultedRequests, 0);
    } finally {
      await fault.stop();
    }
  });

  it('while a faulted request hangs, passthrough hosts are still served', async () => {
    const fault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', `127.0.0.1:${faulted.port}`, '--with-blackhole',
    ]);
    try {
      const hanging = getThroughProxy(fault.proxyPort!, `http://127.0.0.1:${faulted.port}/`, 1000);
      await sleep(100);
      for (let i = 0; i < 5; i++) {
        const served = await getThroughProxy(fault.proxyPort!, `http://127.0.0.1:${other.port}/`, 1000);
        assert.deepEqual(served, { status: 200, body: 'from the passthrough origin', outcome: 'response' });
      }
      assert.equal((await hanging).outcome, 'timeout');
    } finally {
      await fault.stop();
    }
  });
});

describe('blackhole with a schedule window (duration:1s)', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  let fault: FaultProcess;
  let startedAt: number;

  before(async () => {
    echo = await startEcho();
    origin = await startHttpOrigin((_req, res) => res.end('ok'));
    fault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*',
      '--proxy', `127.0.0.1:0=127.0.0.1:${echo.port}`,
      '--with-blackhole', '--blackhole-sched', 'duration:1s',
    ]);
    // The schedule's clock starts just before the prelude is printed, so a bit before this.
    startedAt = performance.now();
  });
  after(async () => {
    await fault?.stop();
    echo?.server.close();
    await origin?.close();
  });

  it('connections opened inside the window are reset when it ends; new ones work normally', async (t) => {
    const stream = openAndSend(fault.mappingPorts[0], 'ping');
    const exchange = getThroughProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`, 3000);
    const streamOutcome = await stream.closed;
    const resetAfter = performance.now() - startedAt;
    t.diagnostic(`stream reset ${resetAfter.toFixed(0)} ms after the proxy was up`);
    assert.equal(streamOutcome, 'error ECONNRESET', 'no data or FIN before the reset');
    assert.equal(stream.received(), '');
    assert.ok(resetAfter > 700 && resetAfter < 1400, `reset ${resetAfter.toFixed(0)} ms after start`);
    assert.equal((await exchange).outcome, 'error ECONNRESET', 'the hanging HTTP exchange is reset too');

    const fresh = openAndSend(fault.mappingPorts[0], 'pong');
    await sleep(300);
    assert.equal(fresh.received(), 'pong');
    assert.deepEqual(fresh.events, ['data']);
    fresh.socket.destroy();
    assert.deepEqual(await getThroughProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`, 1000), {
      status: 200,
      body: 'ok',
      outcome: 'response',
    });
    const { stderr } = await fault.stop();
    assert.doesNotMatch(stderr, /crashed/);
  });
});
