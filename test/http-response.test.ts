// The http-response fault: flags and validation; over real sockets the proxy answers by itself
// (exact status, body and Content-Length, the upstream never contacted), the per-request
// probability is honoured over 10 000 keep-alive requests, 0 means never, and CONNECT tunnels
// are left alone.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import type { HttpResponseFaultSpec } from '../src/config/types';
import type { StageContext } from '../src/faults/fault';
import { httpResponseFault } from '../src/faults/http-response';
import { createRandom } from '../src/faults/random';
import type { TimerWheel } from '../src/time/timer-wheel';
import { type FaultProcess, startFault } from './support/fault-process';
import { startHttpOrigin } from './support/servers';

describe('http-response fault definition and flags', () => {
  it('answers with the configured status and body, counts itself, has no stream stage', () => {
    const applied: Array<[string, number]> = [];
    const context: StageContext = {
      random: createRandom(1),
      wheel: {} as TimerWheel, // never used: the answer needs no timer
      connection: { reset: () => assert.fail(), close: () => assert.fail() },
      applied: (kind, ms) => void applied.push([kind, ms]),
    };
    const spec: HttpResponseFaultSpec = { kind: 'http-response', status: 503, body: 'down', probability: 0.25 };
    assert.deepEqual(httpResponseFault.answerHttp!(spec, context), { status: 503, body: 'down' });
    assert.deepEqual(httpResponseFault.answerHttp!({ ...spec, body: undefined }, context), { status: 503, body: '' });
    assert.deepEqual(applied, [['http-response', 0], ['http-response', 0]]);
    assert.equal(httpResponseFault.probability!(spec), 0.25);
    assert.equal(httpResponseFault.createStage, undefined, 'tunnels and TCP mappings are opaque bytes');
    assert.equal(
      httpResponseFault.describe(spec),
      'http-response 503 with a 4-byte body, probability 0.25 per request, upstream not contacted',
    );
  });

  it('defaults: 500, no body, probability 1; env vars use the original names', () => {
    assert.deepEqual(buildRunConfig(['--with-http-response'], {}).faults[0].spec, {
      kind: 'http-response',
      status: 500,
      body: undefined,
      probability: 1,
    });
    const fromEnv = buildRunConfig([], {
      FAULT_WITH_HTTP_FAULT: '1',
      FAULT_HTTP_FAULT_STATUS: '418',
      FAULT_HTTP_FAULT_BODY: 'teapot',
      FAULT_HTTP_FAULT_PROBABILITY: '0.5',
      FAULT_HTTP_FAULT_SCHED: 'start:2s',
    }).faults[0];
    assert.deepEqual(fromEnv.spec, { kind: 'http-response', status: 418, body: 'teapot', probability: 0.5 });
    assert.deepEqual(fromEnv.schedule, [{ startMs: 2000 }]);
  });

  it('rejects statuses outside 100..599, interim 1xx answers, bodies on 204/304, bad probabilities', () => {
    const rejects = (args: string[], message: RegExp) =>
      assert.throws(() => buildRunConfig(['--with-http-response', ...args], {}), message);
    rejects(['--http-response-status', '99'], /^UsageError: --http-response-status: HTTP status code must be between 200 and 599$/);
    rejects(['--http-response-status', '600'], /HTTP status code must be between 200 and 599/);
    rejects(['--http-response-status', '5xx'], /HTTP status code must be between 200 and 599/);
    rejects(['--http-response-status', '100'], /--http-response-status: 100 is an interim \(1xx\) status/);
    rejects(['--http-response-status', '101'], /101 is an interim \(1xx\) status and cannot be the final answer/);
    rejects(['--http-response-status', '204', '--http-response-body', 'x'], /--http-response-body: a 204 response cannot have a body/);
    rejects(['--http-response-status', '304', '--http-response-body', 'x'], /a 304 response cannot have a body/);
    rejects(['--http-response-trigger-probability', '1.5'], /Probability must be a float between 0.0 and 1.0/);
    assert.equal(buildRunConfig(['--with-http-response', '--http-response-status', '204'], {}).faults[0].spec.kind, 'http-response');
  });
});

/** An origin that counts the requests it answers. */
async function startCountingOrigin() {
  let count = 0;
  const origin = await startHttpOrigin((_req, res) => {
    count++;
    res.end('from the origin');
  });
  return { ...origin, count: () => count, reset: () => (count = 0) };
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request through the forward proxy (absolute form), on the given agent. */
function request(proxyPort: number, url: string, agent: http.Agent | false, method = 'GET', body?: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, path: url, method, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('http-response through the forward proxy', () => {
  let origin: Awaited<ReturnType<typeof startCountingOrigin>>;
  before(async () => {
    origin = await startCountingOrigin();
  });
  after(() => origin.close());

  const run = (args: string[]) =>
    startFault(['--proxy-address', '127.0.0.1:0', '--workers', '2', '--upstream', '*', '--with-http-response', ...args]);

  it('probability 1 with a body: exact status, body and Content-Length; the upstream is never contacted', async () => {
    const body = 'service unavailable — injected ✓';
    const fault = await run(['--http-response-status', '503', '--http-response-body', body]);
    try {
      origin.reset();
      // One keep-alive connection: an unread 1 MiB upload must be drained, not left in the way.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const freed: net.Socket[] = [];
      agent.on('free', (socket: net.Socket) => freed.push(socket));
      for (const [method, upload] of [['POST', Buffer.alloc(1024 * 1024, 1)], ['GET', undefined]] as const) {
        const answer = await request(fault.proxyPort!, `http://127.0.0.1:${origin.port}/x`, agent, method, upload);
        assert.equal(answer.status, 503);
        assert.equal(answer.body.toString('utf8'), body);
        assert.equal(answer.headers['content-length'], String(Buffer.byteLength(body)));
        assert.equal(answer.headers['x-fault-injected'], 'http-response');
      }
      agent.destroy();
      assert.equal(freed.length, 2, 'the connection was kept alive after each answer');
      assert.equal(freed[0], freed[1], 'both answers came on the same connection');
      const head = await request(fault.proxyPort!, `http://127.0.0.1:${origin.port}/x`, false, 'HEAD');
      assert.equal(head.status, 503);
      assert.equal(head.body.length, 0);
      assert.equal(head.headers['content-length'], String(Buffer.byteLength(body)), 'HEAD announces the GET length');
      assert.equal(origin.count(), 0);
      const { stdout } = await fault.stop();
      assert.match(stdout, /Faults\s+http-response ×3\b/);
    } finally {
      await fault.stop();
    }
  });

  it('the upstream does not even need to exist', async () => {
    const fault = await run(['--http-response-status', '429']);
    try {
      // Port 9 (discard) on loopback: nothing listens there in a test environment.
      const answer = await request(fault.proxyPort!, 'http://127.0.0.1:9/', false);
      assert.equal(answer.status, 429);
      assert.equal(answer.body.length, 0);
      assert.equal(answer.headers['content-length'], '0');
    } finally {
      await fault.stop();
    }
  });

  it('probability 0.3 over 10 000 keep-alive requests: 30% ± 1.5%, the upstream saw exactly the others', async (t) => {
    const fault = await run(['--http-response-trigger-probability', '0.3', '--seed', '42']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    try {
      origin.reset();
      const total = 10_000;
      let injected = 0;
      let relayed = 0;
      let next = 0;
      const worker = async () => {
        while (next < total) {
          next++;
          const answer = await request(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`, agent);
          if (answer.headers['x-fault-injected'] === 'http-response') {
            assert.equal(answer.status, 500);
            injected++;
          } else {
            assert.equal(answer.status, 200);
            assert.equal(answer.body.toString(), 'from the origin');
            relayed++;
          }
        }
      };
      const started = performance.now();
      await Promise.all(Array.from({ length: 32 }, worker));
      const share = injected / total;
      t.diagnostic(`${injected} of ${total} injected (${(share * 100).toFixed(2)}%) in ${(performance.now() - started).toFixed(0)} ms`);
      assert.equal(injected + relayed, total);
      // σ = √(0.3·0.7/10000) ≈ 0.46%: ±1.5% is more than 3σ.
      assert.ok(Math.abs(share - 0.3) <= 0.015, `injected share ${share}`);
      assert.equal(origin.count(), relayed, 'the upstream saw exactly the non-injected requests');
    } finally {
      agent.destroy();
      await fault.stop();
    }
  });

  it('probability 0: never, and the fault is never counted', async () => {
    const fault = await run(['--http-response-trigger-probability', '0']);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    try {
      origin.reset();
      const answers = await Promise.all(
        Array.from({ length: 300 }, () => request(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`, agent)),
      );
      assert.ok(answers.every((a) => a.status === 200 && a.headers['x-fault-injected'] === undefined));
      assert.equal(origin.count(), 300);
      const { stdout } = await fault.stop();
      assert.match(stdout, /Faults\s+none applied/);
    } finally {
      agent.destroy();
      await fault.stop();
    }
  });

  it('CONNECT tunnels carry opaque bytes: the fault does nothing there', async () => {
    const fault = await run([]);
    try {
      origin.reset();
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ port: fault.proxyPort!, host: '127.0.0.1' });
        let received = '';
        socket.setEncoding('latin1');
        socket.on('data', (d: string) => {
          received += d;
          if (received.includes('\r\n\r\n') && !received.includes('GET-SENT')) {
            received += 'GET-SENT';
            socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`);
          }
        });
        socket.on('end', () => resolve(received));
        socket.on('error', reject);
        socket.write(`CONNECT 127.0.0.1:${origin.port} HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n\r\n`);
      });
      assert.match(reply, /^HTTP\/1\.1 200 Connection Established\r\n\r\nGET-SENTHTTP\/1\.1 200 OK\r\n/);
      assert.match(reply, /from the origin$/);
      assert.equal(origin.count(), 1);
    } finally {
      await fault.stop();
    }
  });
});

describe('http-response on an HTTP service mapping', () => {
  let origin: Awaited<ReturnType<typeof startCountingOrigin>>;
  let fault: FaultProcess;
  before(async () => {
    origin = await startCountingOrigin();
    fault = await startFault([
      '--disable-http-proxy', '--workers', '1',
      '--proxy', `http:127.0.0.1:0=127.0.0.1:${origin.port}`,
      '--with-http-response', '--http-response-status', '502', '--http-response-body', 'bad gateway (injected)',
    ]);
  });
  after(async () => {
    await fault?.stop();
    await origin?.close();
  });

  it('answers origin-form requests too', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: fault.mappingPorts[0], path: '/', agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
    assert.equal(answer.status, 502);
    assert.equal(answer.body.toString(), 'bad gateway (injected)');
    assert.equal(origin.count(), 0);
  });
});
