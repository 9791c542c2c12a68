// --workers 2: the kernel spreads connections over both shards, and the merged statistics
// show it.
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FaultProcess, startFault } from './support/fault-process';
import { listen } from './support/servers';

describe('sharding', () => {
  let origin: net.Server;
  let fault: FaultProcess;

  before(async () => {
    origin = net.createServer((socket) => socket.end('hi'));
    const port = await listen(origin);
    fault = await startFault(['--disable-http-proxy', '--workers', '2', '--proxy', `127.0.0.1:0=127.0.0.1:${port}`]);
  });
  after(async () => {
    await fault?.stop();
    origin?.close();
  });

  it('200 connections land on both shards', async () => {
    const one = () =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' });
        let got = '';
        socket.setEncoding('utf8').on('data', (d: string) => (got += d));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
    for (let batch = 0; batch < 4; batch++) {
      const replies = await Promise.all(Array.from({ length: 50 }, one));
      assert.ok(replies.every((r) => r === 'hi'));
    }
    const { stdout, code } = await fault.stop();
    assert.equal(code, 0);
    const shards = [...stdout.matchAll(/#(\d+): (\d+) connections/g)].map((m) => ({ id: Number(m[1]), n: Number(m[2]) }));
    assert.equal(shards.length, 2, stdout);
    assert.equal(shards[0].n + shards[1].n, 200, stdout);
    assert.ok(shards.every((s) => s.n > 0), `both shards accepted connections: ${JSON.stringify(shards)}`);
  });
});

describe('shard supervision', () => {
  it('a crashed shard is reported and restarted, and serves again', async () => {
    const origin = net.createServer((socket) => socket.end('hi'));
    const port = await listen(origin);
    const fault = await startFault(['--disable-http-proxy', '--workers', '2', '--proxy', `127.0.0.1:0=127.0.0.1:${port}`], {
      env: { FAULT_TEST_CRASH_SHARD: '1' },
    });
    try {
      const deadline = Date.now() + 5000;
      while (!/shard 1 crashed/.test(fault.stderr()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(fault.stderr(), /shard 1 crashed \(worker exited with code: 70\); restarting it/);
      await new Promise((r) => setTimeout(r, 500));
      const one = () =>
        new Promise<string>((resolve, reject) => {
          const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' });
          let got = '';
          socket.setEncoding('utf8').on('data', (d: string) => (got += d));
          socket.on('end', () => resolve(got));
          socket.on('error', reject);
        });
      const replies = await Promise.all(Array.from({ length: 100 }, one));
      assert.ok(replies.every((r) => r === 'hi'));
      const { stdout, code } = await fault.stop();
      assert.equal(code, 0);
      const shard1 = Number(/#1: (\d+) connections/.exec(stdout)?.[1]);
      assert.ok(shard1 > 0, `the restarted shard accepted connections:\n${stdout}`);
    } finally {
      await fault.stop();
      origin.close();
    }
  });
});

describe('without the native addon', () => {
  it('runs one shard, says why, and still proxies', async () => {
    const origin = net.createServer((socket) => socket.end('hi'));
    const port = await listen(origin);
    const fault = await startFault(['--disable-http-proxy', '--workers', '2', '--proxy', `127.0.0.1:0=127.0.0.1:${port}`], {
      env: { FAULT_DISABLE_NATIVE: '1' },
    });
    try {
      assert.match(fault.stderr(), /running one shard instead of 2/);
      assert.match(fault.stdout(), /1 shard,/);
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ port: fault.mappingPorts[0], host: '127.0.0.1' });
        let got = '';
        socket.setEncoding('utf8').on('data', (d: string) => (got += d));
        socket.on('end', () => resolve(got));
        socket.on('error', reject);
      });
      assert.equal(reply, 'hi');
    } finally {
      await fault.stop();
      origin.close();
    }
  });
});
