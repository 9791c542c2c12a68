// The dns fault: flags; over real sockets, resolving a host name fails with a 502 that says the
// failure was injected — for forwarded HTTP and for CONNECT — while IP literals are untouched,
// and the rate is honoured over 2 000 requests.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildRunConfig } from '../src/cli/run-command';
import type { StageContext } from '../src/faults/fault';
import { dnsFault } from '../src/faults/dns';
import { createRandom } from '../src/faults/random';
import type { TimerWheel } from '../src/time/timer-wheel';
import { type FaultProcess, startFault } from './support/fault-process';
import { rawExchange, startHttpOrigin } from './support/servers';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const INJECTED = /injected DNS failure/;

describe('dns fault definition and flags', () => {
  it('fails every lookup it is attached to (the registry draws the rate) and counts it', () => {
    const applied: string[] = [];
    const context: StageContext = {
      random: createRandom(1),
      wheel: {} as TimerWheel, // never used
      connection: { reset: () => assert.fail(), close: () => assert.fail() },
      applied: (kind) => void applied.push(kind),
    };
    assert.equal(dnsFault.failsResolution!({ kind: 'dns', probability: 0.2 }, context, 'example.test'), true);
    assert.deepEqual(applied, ['dns']);
    assert.equal(dnsFault.probability!({ kind: 'dns', probability: 0.2 }), 0.2);
    assert.equal(dnsFault.createStage, undefined);
  });

  it('--dns-rate defaults to 0.5; FAULT_DNS_PROBABILITY; 0..1 only', () => {
    assert.deepEqual(buildRunConfig(['--with-dns'], {}).faults[0].spec, { kind: 'dns', probability: 0.5 });
    const fromEnv = buildRunConfig([], { FAULT_WITH_DNS: 'yes', FAULT_DNS_PROBABILITY: '0.25', FAULT_DNS_SCHED: 'duration:5s' }).faults[0];
    assert.deepEqual(fromEnv.spec, { kind: 'dns', probability: 0.25 });
    assert.deepEqual(fromEnv.schedule, [{ startMs: 0, endMs: 5000 }]);
    assert.throws(() => buildRunConfig(['--with-dns', '--dns-rate', '50'], {}), /--dns-rate: Probability must be a float between 0.0 and 1.0/);
    assert.throws(() => buildRunConfig([], { FAULT_WITH_DNS: '1', FAULT_DNS_PROBABILITY: '-0.1' }), /FAULT_DNS_PROBABILITY: Probability/);
  });
});

function connect(proxyPort: number, authority: string): Promise<string> {
  return rawExchange(proxyPort, `CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`, (got) => got.includes('\r\n\r\n') && !got.startsWith('HTTP/1.1 502'));
}

describe('dns at rate 1', () => {
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  let fault: FaultProcess;
  before(async () => {
    origin = await startHttpOrigin((_req, res) => res.end('origin'));
    fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*', '--with-dns', '--dns-rate', '1']);
  });
  after(async () => {
    await fault?.stop();
    await origin?.close();
  });

  it('curl -x to a host name gets 502 saying the failure was injected; an IP literal works', async () => {
    const proxy = `http://127.0.0.1:${fault.proxyPort}`;
    const named = await run('curl', ['-sS', '-x', proxy, '-w', '\n%{http_code}', `http://localhost:${origin.port}/`]);
    const [body, code] = named.stdout.split('\n');
    assert.equal(code, '502');
    assert.match(body, INJECTED);
    assert.match(body, /cannot resolve localhost/);
    const literal = await run('curl', ['-sS', '-x', proxy, '-w', '\n%{http_code}', `http://127.0.0.1:${origin.port}/`]);
    assert.equal(literal.stdout, 'origin\n200');
  });

  it('CONNECT to a host name gets 502; CONNECT to an IP literal is established', async () => {
    const named = await connect(fault.proxyPort!, `localhost:${origin.port}`);
    assert.match(named, /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    assert.match(named, INJECTED);
    const literal = await connect(fault.proxyPort!, `127.0.0.1:${origin.port}`);
    assert.match(literal, /^HTTP\/1\.1 200 Connection Established\r\n\r\n$/);
  });

  it('IPv6 literals are not names either', async (t) => {
    let v6: Awaited<ReturnType<typeof startHttpOrigin>>;
    try {
      v6 = await startHttpOrigin((_req, res) => res.end('origin v6'), '::1');
    } catch {
      t.skip('no IPv6 loopback here');
      return;
    }
    try {
      const forwarded = await run('curl', ['-sS', '-x', `http://127.0.0.1:${fault.proxyPort}`, '-w', '\n%{http_code}', `http://[::1]:${v6.port}/`]);
      assert.equal(forwarded.stdout, 'origin v6\n200');
      assert.match(await connect(fault.proxyPort!, `[::1]:${v6.port}`), /^HTTP\/1\.1 200 Connection Established/);
    } finally {
      await v6.close();
    }
  });

  it(
    'a client that resets after the CONNECT 502 does not crash the shard',
    async () => {
      const socket = net.connect({ port: fault.proxyPort!, host: '127.0.0.1' });
      await new Promise<void>((resolve) => {
        socket.once('data', () => {
          socket.resetAndDestroy();
          resolve();
        });
        socket.write(`CONNECT localhost:${origin.port} HTTP/1.1\r\nHost: localhost:${origin.port}\r\n\r\n`);
      });
      await sleep(300);
      assert.doesNotMatch(fault.stderr(), /crashed/);
    },
  );
});

describe('dns at rate 0.5', () => {
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  let fault: FaultProcess;
  let served = 0;
  before(async () => {
    origin = await startHttpOrigin((_req, res) => {
      served++;
      res.end('origin');
    });
    fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '2', '--upstream', '*', '--seed', '7', '--with-dns']);
  });
  after(async () => {
    await fault?.stop();
    await origin?.close();
  });

  it('about half of 2 000 requests to localhost fail, the rest reach the origin', async (t) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const total = 2000;
    let failed = 0;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = http.get({ host: '127.0.0.1', port: fault.proxyPort!, path: `http://localhost:${origin.port}/`, agent }, (res) => {
            let text = '';
            res.setEncoding('utf8').on('data', (d: string) => (text += d));
            res.on('end', () => resolve({ status: res.statusCode!, body: text }));
          });
          req.on('error', reject);
        });
        if (status === 502) {
          assert.match(body, INJECTED);
          failed++;
        } else {
          assert.equal(`${status} ${body}`, '200 origin');
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: 16 }, worker));
    } finally {
      agent.destroy();
    }
    const share = failed / total;
    t.diagnostic(`${failed} of ${total} lookups failed (${(share * 100).toFixed(2)}%)`);
    // Binomial: σ = √(0.25/2000) ≈ 1.12%; ±4% is ≈ 3.6σ (a false alarm about once in 3 000 runs).
    assert.ok(Math.abs(share - 0.5) <= 0.04, `failed share ${share}`);
    assert.equal(served, total - failed, 'every request that resolved reached the origin');
    const { stdout } = await fault.stop();
    assert.match(stdout, new RegExp(`Faults\\s+dns ×${failed}\\b`));
  });
});
