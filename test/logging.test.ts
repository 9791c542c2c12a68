// Logging: --log-file gets the main thread's lines and the shards' (posted in batches), the
// level filter behaves like the original's directives, --log-stdout writes to stdout, and
// without a logging flag nothing is written anywhere.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseLogFilter, severityOf } from '../src/telemetry/log-levels';
import type { LogBatch } from '../src/telemetry/log-record';
import { ShardLogger } from '../src/telemetry/shard-logger';
import { startFault } from './support/fault-process';
import { closedPort, startHttpOrigin } from './support/servers';

const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (ERROR|WARN |INFO |DEBUG|TRACE) \[(main|shard \d+)\] /;

function viaProxy(proxyPort: number, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, path: url, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

const NO_LOG_ENV = { FAULT_LOG_FILE: '', FAULT_WITH_STDOUT_LOGGING: '', FAULT_LOG_LEVEL: '' };

describe('the --log-level filter', () => {
  const level = (filter: string) => parseLogFilter(filter).threshold;
  it('takes a plain level', () => {
    assert.equal(level('debug'), severityOf('debug'));
    assert.equal(level('WARN'), severityOf('warn'));
    assert.equal(level('off'), -1);
  });
  it('takes the most verbose level that applies to fault', () => {
    assert.equal(level('info,fault=debug'), severityOf('debug'));
    assert.equal(level('fault=trace,warn'), severityOf('trace'));
    assert.equal(level('debug,fault=warn'), severityOf('debug'));
    assert.equal(level('fault::proxy=debug'), severityOf('debug'));
  });
  it('ignores other targets and defaults to info', () => {
    assert.equal(level('warn,tower_http=debug'), severityOf('warn'));
    assert.equal(level('tower_http=debug'), severityOf('info'));
    assert.equal(level(''), severityOf('info'));
  });
  it('reports what it cannot read', () => {
    assert.deepEqual(parseLogFilter('info,fault=loud').ignored, ['fault=loud']);
  });
});

describe('the shard logger', () => {
  it('batches records, skips those below the threshold, and drops past its bound', async () => {
    const batches: LogBatch[] = [];
    const log = new ShardLogger(severityOf('debug'), (batch) => batches.push(batch));
    log.trace('not wanted');
    log.debug('one');
    log.error('two');
    assert.equal(batches.length, 0, 'nothing is posted synchronously');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(batches.length, 1);
    assert.deepEqual(batches[0].records.map((r) => r.message), ['one', 'two']);
    for (let i = 0; i < 6000; i++) log.debug(`line ${i}`);
    const rest = log.close();
    assert.equal(rest?.records.length, 5000);
    assert.equal(rest?.dropped, 1000);
    log.error('after close');
    assert.equal(log.close(), undefined);
  });
  it('costs nothing when logging is off', () => {
    const log = new ShardLogger(-1, () => assert.fail('nothing to ship'));
    log.error('dropped on the floor');
    assert.equal(log.enabled('error'), false);
    assert.equal(log.close(), undefined);
  });
});

describe('fault run logging', () => {
  let dir: string;
  let origin: Awaited<ReturnType<typeof startHttpOrigin>>;
  let refusing: number;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fault-logging-'));
    origin = await startHttpOrigin((_req, res) => res.end('ok'));
    refusing = await closedPort();
  });
  after(async () => {
    await origin?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--log-file gets lines from the main thread and from both shards', async () => {
    const file = join(dir, 'debug.log');
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '2', '--upstream', '*'], {
      env: { ...NO_LOG_ENV, FAULT_LOG_FILE: file, FAULT_LOG_LEVEL: 'info,fault=debug' },
    });
    assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`), 200);
    assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${refusing}/nobody-home`), 502);
    const { code, stdout } = await fault.stop();
    assert.equal(code, 0);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    for (const line of lines) assert.match(line, LOG_LINE);
    assert.ok(lines.some((l) => / INFO  \[main\] listening with 2 shard\(s\)/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => / INFO  \[main\] stopping: SIGTERM/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => / DEBUG \[shard 0\] listening on/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => / DEBUG \[shard 1\] listening on/.test(l)), lines.join('\n'));
    const refused = lines.filter((l) => l.includes(`GET http://127.0.0.1:${refusing}/nobody-home failed`));
    assert.equal(refused.length, 1, lines.join('\n'));
    assert.match(refused[0], / DEBUG \[shard \d\] .*\(answered 502\): .*refused/);
    assert.ok(!lines.some((l) => l.includes(' TRACE ')), 'nothing below debug');
    assert.doesNotMatch(stdout, new RegExp(LOG_LINE.source, 'm'), 'the file only');
  });

  it('--log-level warn keeps info and debug out', async () => {
    const file = join(dir, 'warn.log');
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '2', '--upstream', '*'], {
      env: { ...NO_LOG_ENV, FAULT_LOG_FILE: file, FAULT_LOG_LEVEL: 'warn,tower_http=debug' },
    });
    assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${refusing}/`), 502);
    assert.equal((await fault.stop()).code, 0);
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    assert.doesNotMatch(text, / (INFO |DEBUG|TRACE) /);
  });

  it('--log-stdout writes the lines to stdout', async () => {
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1'], {
      env: { ...NO_LOG_ENV, FAULT_WITH_STDOUT_LOGGING: 'true' },
    });
    assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`), 200);
    const { code, stdout } = await fault.stop();
    assert.equal(code, 0);
    assert.match(stdout, / INFO  \[main\] listening with 1 shard\(s\)/);
  });

  it('writes nothing at all without a logging flag, whatever the level', async () => {
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '2', '--upstream', '*'], {
      env: { ...NO_LOG_ENV, FAULT_LOG_LEVEL: 'trace' },
    });
    assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${refusing}/`), 502);
    assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`), 200);
    const { code, stdout, stderr } = await fault.stop();
    assert.equal(code, 0);
    assert.doesNotMatch(stdout, new RegExp(LOG_LINE.source.slice(1), 'm'));
    assert.doesNotMatch(stderr, new RegExp(LOG_LINE.source.slice(1), 'm'));
    assert.doesNotMatch(stdout + stderr, /refused|listening on/);
  });
});
