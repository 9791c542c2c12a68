// TCP mappings to a TLS remote, and latency that counts from when the data is there.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { startFault } from './support/fault-process';
import { listen } from './support/servers';

/** A throw-away CA and a certificate for `localhost` signed by it (openssl). */
function makeCertificates(dir: string): { ca: string; key: Buffer; cert: Buffer } {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=fault test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  const ext = join(dir, 'ext.cnf');
  writeFileSync(ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '1', '-extfile', ext]);
  return { ca: join(dir, 'ca.pem'), key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) };
}

function talk(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    let got = '';
    socket.setEncoding('utf8').on('data', (d: string) => (got += d));
    socket.on('end', () => {
      socket.destroy();
      resolve(got);
    });
    socket.on('error', reject);
    socket.end(message);
  });
}

describe('TCP mapping to a TLS remote', () => {
  let dir: string;
  let server: tls.Server;
  let port: number;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fault-tls-'));
    const { key, cert } = makeCertificates(dir);
    server = tls.createServer({ key, cert, allowHalfOpen: true }, (socket) => {
      let got = '';
      socket.setEncoding('utf8').on('data', (d: string) => (got += d));
      socket.on('end', () => socket.end(`tls says: ${got} (${socket.servername ?? 'no SNI'})`));
    });
    port = await listen(server);
  });
  after(() => {
    server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('clients speak plain TCP, fault speaks TLS (verified, with SNI) to the remote', async () => {
    const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=tls://localhost:${port}`], {
      env: { NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
    });
    try {
      assert.match(fault.stdout(), /=> localhost:\d+ \(TLS\)/);
      assert.equal(await talk(fault.mappingPorts[0], 'hello'), 'tls says: hello (localhost)');
    } finally {
      await fault.stop();
    }
  });

  it('an untrusted certificate is refused: the client sees a reset, not plaintext', async () => {
    const fault = await startFault(['--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=tls://localhost:${port}`]);
    try {
      await assert.rejects(talk(fault.mappingPorts[0], 'hello'), /ECONNRESET/);
    } finally {
      await fault.stop();
    }
  });
});

describe('latency counts from when the data is there', () => {
  it('an upstream that answers after 400 ms is seen after 400 + 200 ms, not 200 ms', async () => {
    const origin = net.createServer((socket) => setTimeout(() => socket.end('late'), 400));
    const originPort = await listen(origin);
    const fault = await startFault([
      '--disable-http-proxy', '--workers', '1', '--proxy', `127.0.0.1:0=127.0.0.1:${originPort}`,
      '--with-latency', '--latency-mean', '200', '--latency-stddev', '0',
    ]);
    try {
      const started = performance.now();
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' });
        let got = '';
        socket.setEncoding('utf8').on('data', (d: string) => (got += d));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
      const ms = performance.now() - started;
      assert.equal(reply, 'late');
      assert.ok(ms >= 600 && ms < 700, `took ${ms} ms`);
    } finally {
      await fault.stop();
      origin.close();
    }
  });
});
