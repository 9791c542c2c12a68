// The proxy's contract with real clients and servers: half-close, refused upstreams, aborts,
// 100-continue, trailers, repeated headers, IPv6 CONNECT, early tunnel bytes, malformed input.
import { strict as assert } from 'node:assert';
import { readdirSync, readlinkSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FaultProcess, startFault } from './support/fault-process';
import { closedPort, listen, rawExchange, startHttpOrigin } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function openSocketCount(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // fd closed while we looked
    }
  }
  return n;
}

async function ipv6Available(): Promise<boolean> {
  const probe = net.createServer();
  try {
    await listen(probe, '::1');
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

/** An origin that answers only after the client half-closed, a while later. */
async function startLateReplyOrigin(): Promise<net.Server> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let got = '';
    socket.on('data', (d) => (got += d));
    socket.on('end', () => setTimeout(() => socket.end(`reply to ${got}`), 200));
  });
  await listen(server);
  return server;
}

function echoServer(host = '127.0.0.1'): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((socket) => socket.pipe(socket));
  return listen(server, host).then((port) => ({ server, port }));
}

describe('TCP mapping and tunnel stream behaviour', () => {
  let origin: net.Server;
  let refusedPort: number;
  let fault: FaultProcess;

  before(async () => {
    origin = await startLateReplyOrigin();
    refusedPort = await closedPort();
    const originPort = (origin.address() as net.AddressInfo).port;
    fault = await startFault([
      '--proxy-address', '127.0.0.1:0',
      '--workers', '1',
      '--proxy', `127.0.0.1:0=127.0.0.1:${originPort}`,
      '--proxy', `127.0.0.1:0=127.0.0.1:${refusedPort}`,
    ]);
  });
  after(async () => {
    await fault?.stop();
    origin?.close();
  });

  it('(a) a half-closed client still gets the late reply, then EOF', async () => {
    const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    socket.setEncoding('utf8').on('data', (d: string) => (received += d));
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    socket.end('question');
    await ended;
    socket.destroy();
    assert.equal(received, 'reply to question');
  });

  it('(a) the same through a CONNECT tunnel', async () => {
    const originPort = (origin.address() as net.AddressInfo).port;
    const socket = net.connect({ port: fault.proxyPort!, host: '127.0.0.1', allowHalfOpen: true });
    let received = '';
    socket.setEncoding('latin1');
    const established = new Promise<void>((resolve) =>
      socket.on('data', (d: string) => {
        received += d;
        if (received.includes('\r\n\r\n')) resolve();
      }),
    );
    socket.write(`CONNECT 127.0.0.1:${originPort} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\n\r\n`);
    await established;
    assert.match(received, /^HTTP\/1\.1 200/);
    received = '';
    const ended = new Promise<void>((resolve) => socket.on('end', () => resolve()));
    socket.end('tunnelled');
    await ended;
    socket.destroy();
    assert.equal(received, 'reply to tunnelled');
  });

  it('(b) nothing listens upstream: the mapping client sees a reset', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = net.connect({ port: fault.mappingPorts[1], host: '127.0.0.1' });
      socket.on('data', () => resolve('data'));
      socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      socket.on('end', () => resolve('end'));
    });
    assert.ok(outcome === 'ECONNRESET' || outcome === 'ECONNREFUSED', `got ${outcome}`);
  });

  it('(b) nothing listens upstream: plain HTTP gets 502 and CONNECT gets 502, never 200', async () => {
    const plain = await rawExchange(
      fault.proxyPort!,
      `GET http://127.0.0.1:${refusedPort}/ HTTP/1.1\r\nHost: 127.0.0.1:${refusedPort}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(plain, /^HTTP\/1\.1 502 /);
    assert.match(plain, /refused/);
    const tunnel = await rawExchange(
      fault.proxyPort!,
      `CONNECT 127.0.0.1:${refusedPort} HTTP/1.1\r\nHost: 127.0.0.1:${refusedPort}\r\n\r\n`,
    );
    assert.match(tunnel, /^HTTP\/1\.1 502 /);
    assert.doesNotMatch(tunnel, /200/);
  });

  it('(g) CONNECT [::1]:PORT works', async (t) => {
    if (!(await ipv6Available())) {
      t.skip('::1 is not configured on this machine');
      return;
    }
    const echo = await echoServer('::1');
    try {
      const reply = await rawExchange(
        fault.proxyPort!,
        `CONNECT [::1]:${echo.port} HTTP/1.1\r\nHost: [::1]:${echo.port}\r\n\r\n`,
        (r) => r.includes('\r\n\r\n'),
      );
      assert.match(reply, /^HTTP\/1\.1 200/);
      const echoed = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ port: fault.proxyPort!, host: '127.0.0.1' });
        let got = '';
        socket.setEncoding('latin1');
        socket.on('error', reject);
        socket.on('data', (d: string) => {
          got += d;
          if (got.includes('\r\n\r\n') && !got.includes('ping6')) socket.write('ping6');
          if (got.endsWith('ping6')) {
            socket.destroy();
            resolve(got);
          }
        });
        socket.write(`CONNECT [::1]:${echo.port} HTTP/1.1\r\nHost: [::1]:${echo.port}\r\n\r\n`);
      });
      assert.match(echoed, /^HTTP\/1\.1 200[^]*\r\n\r\nping6$/);
    } finally {
      echo.server.close();
    }
  });

  it('(h) bytes sent in the same write as the CONNECT head reach the upstream', async () => {
    const echo = await echoServer();
    try {
      const reply = await rawExchange(
        fault.proxyPort!,
        `CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\n\r\nearly-bytes`,
        (r) => r.endsWith('early-bytes'),
      );
      assert.match(reply, /^HTTP\/1\.1 200[^]*\r\n\r\nearly-bytes$/);
    } finally {
      echo.server.close();
    }
  });
});

describe('HTTP forwarding behaviour', () => {
  let fault: FaultProcess;
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  const aborted: string[] = [];

  before(async () => {
    origin = await startHttpOrigin((req, res) => {
      if (req.url === '/slow') {
        req.on('close', () => {
          if (!res.writableEnded) aborted.push('slow');
        });
        setTimeout(() => res.end('too late'), 5000).unref();
        return;
      }
      if (req.url === '/upload') {
        let size = 0;
        req.on('data', (d: Buffer) => (size += d.length));
        req.on('end', () => res.end(`received ${size}`));
        return;
      }
      if (req.url === '/trailer') {
        res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Checksum' });
        res.write('part one, ');
        setTimeout(() => {
          res.write('part two');
          res.addTrailers({ 'X-Checksum': 'abc123' });
          res.end();
        }, 20);
        return;
      }
      if (req.url === '/cookies') {
        res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
        res.end('cookies');
        return;
      }
      res.end(`hello ${req.url}`);
    });
    fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*']);
  });
  after(async () => {
    await fault?.stop();
    await origin?.close();
  });

  const viaProxy = (path: string, extra: http.RequestOptions = {}) => ({
    host: '127.0.0.1',
    port: fault.proxyPort,
    path: `http://127.0.0.1:${origin.port}${path}`,
    headers: { host: `127.0.0.1:${origin.port}` },
    ...extra,
  });

  it('(c) a client abort after 200 ms aborts the upstream request; sockets return to baseline', async () => {
    const pid = fault.child.pid!;
    // Warm up: the first exchange creates long-lived pools; measure after it.
    await new Promise<void>((resolve) => http.get(viaProxy('/warm', { agent: false }), (r) => r.resume().on('end', resolve)));
    await sleep(200);
    const baseline = openSocketCount(pid);
    const req = http.get(viaProxy('/slow', { agent: false }));
    req.on('error', () => {});
    await sleep(200);
    req.destroy();
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && (aborted.length === 0 || openSocketCount(pid) > baseline)) await sleep(25);
    assert.deepEqual(aborted, ['slow'], 'the origin saw its request aborted');
    assert.ok(openSocketCount(pid) <= baseline, `sockets ${openSocketCount(pid)} > baseline ${baseline}`);
  });

  it('(d) PUT with Expect: 100-continue gets the 100 promptly and uploads', async () => {
    const body = Buffer.alloc(256 * 1024, 7);
    const started = performance.now();
    const result = await new Promise<{ continueMs: number; text: string; status: number }>((resolve, reject) => {
      let continueMs = -1;
      const req = http.request(
        viaProxy('/upload', {
          method: 'PUT',
          agent: false,
          headers: { host: `127.0.0.1:${origin.port}`, expect: '100-continue', 'content-length': String(body.length) },
        }),
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ continueMs, text, status: res.statusCode! }));
        },
      );
      req.on('error', reject);
      req.on('continue', () => {
        continueMs = performance.now() - started;
        req.end(body);
      });
    });
    assert.equal(result.status, 200);
    assert.equal(result.text, `received ${body.length}`);
    assert.ok(result.continueMs >= 0 && result.continueMs < 500, `100 Continue after ${result.continueMs} ms`);
  });

  it('(e) a chunked response with a trailer arrives whole and the connection serves the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = (path: string) =>
        new Promise<{ body: string; trailers: NodeJS.Dict<string>; reused: boolean }>((resolve, reject) => {
          const req = http.get(viaProxy(path, { agent }), (res) => {
            let body = '';
            res.setEncoding('utf8').on('data', (d: string) => (body += d));
            res.on('end', () => resolve({ body, trailers: res.trailers, reused: req.reusedSocket }));
          });
          req.on('error', reject);
        });
      const first = await get('/trailer');
      assert.equal(first.body, 'part one, part two');
      assert.equal(first.trailers['x-checksum'], 'abc123');
      const second = await get('/after-trailer');
      assert.equal(second.body, 'hello /after-trailer');
      assert.equal(second.reused, true, 'the keep-alive connection was reused');
    } finally {
      agent.destroy();
    }
  });

  it('(f) two Set-Cookie headers stay two header lines', async () => {
    const raw = await rawExchange(
      fault.proxyPort!,
      `GET http://127.0.0.1:${origin.port}/cookies HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`,
    );
    const cookies = raw.split('\r\n').filter((line) => /^set-cookie:/i.test(line));
    assert.deepEqual(cookies.map((l) => l.replace(/^set-cookie:\s*/i, '')), ['a=1; Path=/', 'b=2; Path=/']);
  });

  it('(i) a malformed request line gets 400 and the proxy keeps serving', async () => {
    const bad = await rawExchange(fault.proxyPort!, 'THIS IS NOT HTTP\r\n\r\n');
    assert.match(bad, /^HTTP\/1\.1 400 /);
    const good = await rawExchange(
      fault.proxyPort!,
      `GET http://127.0.0.1:${origin.port}/still-here HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(good, /^HTTP\/1\.1 200 [^]*hello \/still-here$/);
  });

  it('relays origin-form requests by their Host header', async () => {
    const reply = await rawExchange(
      fault.proxyPort!,
      `GET /by-host HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 200 [^]*hello \/by-host$/);
  });

  it('answers 508 instead of looping into itself', async () => {
    const reply = await rawExchange(
      fault.proxyPort!,
      `GET http://127.0.0.1:${fault.proxyPort}/ HTTP/1.1\r\nHost: 127.0.0.1:${fault.proxyPort}\r\nConnection: close\r\n\r\n`,
    );
    assert.match(reply, /^HTTP\/1\.1 508 /);
  });
});
