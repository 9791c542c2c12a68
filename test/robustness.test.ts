// Regressions found by trying to break the proxy: leaked sockets after client aborts, a shard
// crash on a bad upstream status line, doubled 100-continue, tunnels into ourselves, error
// counts, and bad Host headers.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FAULT_BIN, type FaultProcess, startFault } from './support/fault-process';
import { listen, rawExchange, startHttpOrigin } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fdCount = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

describe('clients that abort mid-transfer', () => {
  it('leave no socket behind, and the proxy still stops cleanly on SIGTERM', async () => {
    const echo = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.pipe(socket);
    });
    const echoPort = await listen(echo);
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${echoPort}`]);
    try {
      const pid = fault.child.pid!;
      // One finished connection first: the native relay opens its epoll and wake-up fds (2,
      // for the life of the shard) on first use, and they are not a leak.
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' }, () => socket.end('hello'));
        socket.on('error', reject).on('close', () => resolve()).resume();
      });
      await sleep(100);
      const baseline = fdCount(pid);
      // Each client writes 1 MB and never reads: both directions back up, then it goes away.
      await Promise.all(
        Array.from({ length: 40 }, (_, i) => new Promise<void>((resolve) => {
          const viaTunnel = i % 2 === 1;
          const socket = net.connect({ port: viaTunnel ? fault.proxyPort! : fault.mappingPorts[0], host: '127.0.0.1' }, () => {
            if (viaTunnel) socket.write(`CONNECT 127.0.0.1:${echoPort} HTTP/1.1\r\nHost: x\r\n\r\n`);
            socket.write(Buffer.alloc(1_000_000, 97));
            setTimeout(() => socket.destroy(), 50);
          });
          socket.on('error', () => {});
          socket.on('close', () => resolve());
        })),
      );
      const deadline = Date.now() + 3000;
      while (fdCount(pid) > baseline && Date.now() < deadline) await sleep(50);
      assert.ok(fdCount(pid) <= baseline, `fds ${fdCount(pid)} > baseline ${baseline}`);
      const started = Date.now();
      const { code } = await fault.stop();
      assert.equal(code, 0);
      assert.ok(Date.now() - started < 5000, 'stopped within 5 s');
    } finally {
      await fault.stop();
      echo.close();
    }
  });
});

describe('HTTP edge cases', () => {
  let fault: FaultProcess;
  let weird: net.Server;
  let weirdPort: number;
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;

  before(async () => {
    // An upstream that answers with a status line Node refuses to relay.
    weird = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.end('HTTP/1.1 099 Low\r\nContent-Length: 2\r\n\r\nok'));
    });
    weirdPort = await listen(weird);
    origin = await startHttpOrigin((req, res) => {
      if (req.url === '/upload') {
        let size = 0;
        req.on('data', (d: Buffer) => (size += d.length));
        req.on('end', () => res.end(`got ${size}`));
        return;
      }
      res.end('fine');
    });
    fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*']);
  });
  after(async () => {
    await fault?.stop();
    weird?.close();
    await origin?.close();
  });

  it('a bad upstream status line gets that request a 502, and nothing else breaks', async () => {
    const reply = await rawExchange(
      fault.proxyPort!,
      `GET http://127.0.0.1:${weirdPort}/ HTTP/1.1\r\nHost: 127.0.0.1:${weirdPort}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 502 /);
    assert.match(reply, /invalid response head/);
    const next = await rawExchange(
      fault.proxyPort!,
      `GET http://127.0.0.1:${origin.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(next, /^HTTP\/1\.1 200 [^]*fine$/);
    assert.doesNotMatch(fault.stderr(), /crashed/);
  });

  it('relays the upstream 100 Continue once, never a second one of its own', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ port: fault.proxyPort!, host: '127.0.0.1' });
      let got = '';
      socket.setEncoding('latin1');
      socket.on('error', reject);
      socket.on('data', (d: string) => (got += d));
      socket.on('end', () => resolve(got));
      socket.write(
        `POST http://127.0.0.1:${origin.port}/upload HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n` +
          'Content-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      );
      // Hold the body past the proxy's 1 s fallback.
      setTimeout(() => socket.write('hello'), 1500);
    });
    assert.equal(reply.match(/100 Continue/g)?.length, 1, reply);
    assert.match(reply, /got 5$/);
  });

  it('refuses a CONNECT into the proxy itself with 508', async () => {
    const reply = await rawExchange(fault.proxyPort!, `CONNECT 127.0.0.1:${fault.proxyPort} HTTP/1.1\r\nHost: x\r\n\r\n`);
    assert.match(reply, /^HTTP\/1\.1 508 /);
  });

  it('answers a missing or malformed Host with a 400 that says why', async () => {
    const missing = await rawExchange(fault.proxyPort!, 'GET /x HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(missing, /^HTTP\/1\.1 400 [^]*no absolute URL and no Host header/);
    const bad = await rawExchange(fault.proxyPort!, 'GET /x HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n');
    assert.match(bad, /^HTTP\/1\.1 400 [^]*bad Host header/);
  });

  it('counts a client abort as one error, not two', async () => {
    const slow = await startHttpOrigin((_req, res) => setTimeout(() => res.end('late'), 2000).unref());
    const local = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*']);
    try {
      for (let i = 0; i < 5; i++) {
        const req = http.get({ host: '127.0.0.1', port: local.proxyPort, path: `http://127.0.0.1:${slow.port}/`, agent: false });
        req.on('error', () => {});
        await sleep(50);
        req.destroy();
      }
      await sleep(300);
      const { stdout } = await local.stop();
      assert.match(stdout, /Exchanges\s+5 \(faulted 0, passthrough 0, errors 5\)/);
    } finally {
      await local.stop();
      await slow.close();
    }
  });
});

describe('configuration that would loop', () => {
  it('a mapping onto its own listen address is refused at start', () => {
    const result = spawnSync(process.execPath, [FAULT_BIN, 'run', '--disable-http-proxy', '--proxy', '6390=127.0.0.1:6390'], { encoding: 'utf8' });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /own listen address/);
  });

  it('mappings that lead back into each other are refused at start; a chain that ends is fine', () => {
    const circle = spawnSync(process.execPath, [FAULT_BIN, 'run', '--disable-http-proxy', '--proxy', '6391=127.0.0.1:6392', '--proxy', '6392=127.0.0.1:6391'], {
      encoding: 'utf8',
    });
    assert.equal(circle.status, 2);
    assert.match(circle.stderr, /lead back into each other/);
    const chain = spawnSync(
      process.execPath,
      [FAULT_BIN, 'run', '--no-ui', '--duration', '200ms', '--disable-http-proxy', '--proxy', '127.0.0.1:0=127.0.0.1:6394', '--proxy', '127.0.0.1:6394=127.0.0.1:6395'],
      { encoding: 'utf8', timeout: 15_000 },
    );
    assert.equal(chain.status, 0, chain.stderr);
  });
});

describe('an HTTP exchange still open when the drain time runs out', () => {
  it('is recorded as cut at stop, not as an upstream failure with an invented 502', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fault-cut-'));
    const report = join(dir, 'cut.json');
    const slow = await startHttpOrigin((_req, res) => {
      setTimeout(() => res.end('late'), 10_000).unref();
    });
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*', '--drain-timeout', '300ms', '--report', report]);
    try {
      // The client sees its connection closed (or reset), never an answer.
      const outcome = rawExchange(fault.proxyPort!, `GET http://127.0.0.1:${slow.port}/ HTTP/1.1\r\nHost: 127.0.0.1:${slow.port}\r\n\r\n`).catch(() => '');
      await new Promise((r) => setTimeout(r, 300));
      const { code } = await fault.stop();
      assert.equal(code, 0);
      const got = await outcome;
      assert.equal(got, '');
      const doc = JSON.parse(readFileSync(report, 'utf8'));
      assert.deepEqual(doc.exchanges.errorMessages, [{ message: 'cut at stop: the drain time ran out', count: 1 }]);
      assert.deepEqual(doc.exchanges.statusCodes, [{ status: 0, count: 1 }]);
      assert.equal(doc.totals.connectionsCutAtStop, 1);
    } finally {
      await fault.stop();
      await slow.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
