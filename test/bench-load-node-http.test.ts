// The node:http reference proxy's request-line and header handling (bench/load/forward-headers.ts)
// and the load summary's ratios against it (bench/load/summary.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { downstreamResponseHeaders, parseAbsoluteHttpUrl, upstreamRequestHeaders } from '../bench/load/forward-headers';
import type { Measurement } from '../bench/load/measure';
import { summarise } from '../bench/load/summary';
import { benchmarkTargets, NODE_HTTP_ID } from '../bench/load/targets';

describe('bench:load node:http forward proxy', () => {
  it('splits absolute-form request targets', () => {
    assert.deepEqual(parseAbsoluteHttpUrl('http://127.0.0.1:8080/'), { authority: '127.0.0.1:8080', host: '127.0.0.1', port: 8080, path: '/' });
    assert.deepEqual(parseAbsoluteHttpUrl('HTTP://example.test?q=1'), { authority: 'example.test', host: 'example.test', port: 80, path: '/?q=1' });
    assert.deepEqual(parseAbsoluteHttpUrl('http://[::1]:81/a/b?c'), { authority: '[::1]:81', host: '::1', port: 81, path: '/a/b?c' });
    for (const bad of ['/', 'https://a/', 'http://', 'http://a:0/', 'http://a:70000/', 'http://u@a/', 'http://a:b/', 'http://[::1/']) {
      assert.equal(parseAbsoluteHttpUrl(bad), undefined, bad);
    }
  });

  it('drops hop-by-hop fields and those named in Connection, and replaces Host', () => {
    const request = ['Host', 'wrong', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Proxy-Connection', 'keep-alive', 'Accept', '*/*', 'TE', 'trailers'];
    assert.deepEqual(upstreamRequestHeaders(request, '127.0.0.1:9'), ['Host', '127.0.0.1:9', 'Accept', '*/*']);
    const chunked = ['Host', 'h', 'Transfer-Encoding', 'gzip, chunked', 'Content-Type', 'text/plain'];
    assert.deepEqual(upstreamRequestHeaders(chunked, 'h'), ['Host', 'h', 'Content-Type', 'text/plain', 'Transfer-Encoding', 'chunked']);
    const response = ['content-type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5'];
    assert.deepEqual(downstreamResponseHeaders(response), ['content-type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2']);
  });

  it('compares only the full-load fault HTTP forward rows with it', () => {
    const targets = benchmarkTargets(100);
    const rps: Record<string, number> = { haproxy: 10_000, [NODE_HTTP_ID]: 5000, 'fault-http-w1': 4000, 'fault-http-w2': 2500 };
    const cpu: Record<string, number> = { haproxy: 20, [NODE_HTTP_ID]: 80, 'fault-http-w1': 100, 'fault-http-w2': 160 };
    const measurements = targets.map((target): Measurement => ({
      targetId: target.id,
      round: 1,
      wrk: { requests: 1000, durationSeconds: 1, requestsPerSecond: rps[target.id] ?? 1000, latencyMs: { p50: 1, p75: 1, p90: 1, p99: 2 }, socketErrors: 0, non2xxResponses: 0 },
      proxyCpuMicrosPerRequest: target.kind === 'direct' ? undefined : (cpu[target.id] ?? 50),
      originCpuMicros: 1000,
      originCpuMicrosPerRequest: 1,
      loadAverage1m: 0,
      outsideCpuMicros: 0,
      outsideCpuShare: 0,
      problems: [],
    }));
    const rows = new Map(summarise(targets, measurements).map((row) => [row.targetId, row]));
    assert.deepEqual(rows.get('fault-http-w1')?.vsNodeHttp, { requestsPerSecond: 0.8, proxyCpuPerRequest: 1.25 });
    assert.deepEqual(rows.get('fault-http-w2')?.vsNodeHttp, { requestsPerSecond: 0.5, proxyCpuPerRequest: 2 });
    assert.equal(rows.get(NODE_HTTP_ID)?.vsHaproxy.requestsPerSecond, 0.5);
    for (const id of ['direct', 'haproxy', NODE_HTTP_ID, 'fault-tcp-w1', 'fault-http-w2-latency']) assert.equal(rows.get(id)?.vsNodeHttp, undefined, id);
    // Without the node:http row (bench:ci's subset), no row gets the ratio.
    const subset = targets.filter((target) => target.id !== NODE_HTTP_ID);
    assert.ok(summarise(subset, measurements).every((row) => row.vsNodeHttp === undefined));
  });
});
