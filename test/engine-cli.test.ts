// Process-level behaviour of `fault run`: fail fast on a busy address, stop cleanly on signals
// and on --duration.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import { FAULT_BIN } from './support/fault-process';
import { listen } from './support/servers';

function runFault(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [FAULT_BIN, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    }),
  );
}

describe('fault run as a process', () => {
  for (const workers of ['1', '2']) {
    it(`an address in use exits non-zero within 2 s (--workers ${workers})`, async () => {
      const holder = net.createServer();
      const port = await listen(holder);
      try {
        const result = await runFault(['--proxy-address', `127.0.0.1:${port}`, '--workers', workers]);
        assert.notEqual(result.code, 0);
        assert.ok(result.ms < 2000, `took ${result.ms} ms`);
        assert.match(result.stderr, /address already in use/);
      } finally {
        holder.close();
      }
    });
  }

  it('a mapping on a busy port also fails fast', async () => {
    const holder = net.createServer();
    const port = await listen(holder);
    try {
      const result = await runFault(['--proxy-address', '127.0.0.1:0', '--proxy', `127.0.0.1:${port}=127.0.0.1:9`]);
      assert.notEqual(result.code, 0);
      assert.ok(result.ms < 2000, `took ${result.ms} ms`);
      assert.match(result.stderr, new RegExp(`127\\.0\\.0\\.1:${port}: address already in use`));
    } finally {
      holder.close();
    }
  });

  it('--duration ends the run with exit 0 and a summary', async () => {
    const result = await runFault(['--proxy-address', '127.0.0.1:0', '--duration', '700ms', '--workers', '2']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Stopped \(duration elapsed\)/);
    assert.ok(result.ms >= 700 && result.ms < 6000, `took ${result.ms} ms`);
  });

  it('--no-ui prints nothing on stdout', async () => {
    const result = await runFault(['--proxy-address', '127.0.0.1:0', '--duration', '300ms', '--no-ui']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
  });
});
