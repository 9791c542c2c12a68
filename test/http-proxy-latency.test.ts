// curl and Node fetch (through HTTP_PROXY) reach the demo app via `fault run`, bodies intact,
// each request slowed by the configured latency.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { EnvHttpProxyAgent, fetch } from 'undici';
import { type DemoServer, startDemo } from '../src/demo';
import { type FaultProcess, startFault } from './support/fault-process';

const run = promisify(execFile);

describe('HTTP forward proxy with latency in front of the demo app', () => {
  let demo: DemoServer;
  let fault: FaultProcess;

  before(async () => {
    demo = await startDemo({ address: '127.0.0.1', port: 0, quiet: true });
    fault = await startFault([
      '--proxy-address', '127.0.0.1:0',
      '--workers', '2',
      '--upstream', '*',
      '--with-latency', '--latency-mean', '300', '--latency-stddev', '0',
    ]);
  });
  after(async () => {
    await fault?.stop();
    await demo?.close();
  });

  it('curl -x gets the intact body, each request delayed by 300 to 360 ms', async () => {
    for (let i = 0; i < 3; i++) {
      const { stdout } = await run('curl', [
        '-sS', '-x', `http://127.0.0.1:${fault.proxyPort}`,
        '-w', '\n%{http_code} %{time_total}',
        `http://127.0.0.1:${demo.port}/`,
      ]);
      const [body, status] = stdout.split('\n');
      const [code, seconds] = status.split(' ');
      assert.equal(body, '<h1>Hello, World!</h1>');
      assert.equal(code, '200');
      const ms = Number(seconds) * 1000;
      assert.ok(ms >= 300 && ms < 360, `curl took ${ms} ms`);
    }
  });

  it('Node fetch through HTTP_PROXY gets the intact body, delayed by 300 to 360 ms', async () => {
    const proxy = `http://127.0.0.1:${fault.proxyPort}`;
    // proxyTunnel false: plain-http requests go to the proxy in absolute form, like curl -x
    // (undici would otherwise tunnel them through CONNECT, where latency is once per connection).
    const options = { httpProxy: proxy, httpsProxy: proxy, noProxy: '', proxyTunnel: false };
    const dispatcher = new EnvHttpProxyAgent(options as EnvHttpProxyAgent.Options);
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        const response = await fetch(`http://127.0.0.1:${demo.port}/uppercase`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content: 'hello fault' }),
          dispatcher,
        });
        const body = await response.json();
        const ms = performance.now() - started;
        assert.equal(response.status, 200);
        assert.deepEqual(body, { content: 'HELLO FAULT' });
        assert.ok(ms >= 300 && ms < 360, `fetch took ${ms} ms`);
      }
    } finally {
      await dispatcher.close();
    }
  });

  it('prints a summary with the exchanges and the injected latency when it stops', async () => {
    const { code, stdout } = await fault.stop();
    assert.equal(code, 0);
    assert.match(stdout, /Exchanges\s+6 \(faulted 6, passthrough 0, errors 0\)/);
    assert.match(stdout, /Faults\s+latency ×6/);
    assert.match(stdout, /Injected\s+p50 300 ms/);
  });
});
