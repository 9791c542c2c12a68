// --with-otel: spans (one per request, with the right attributes) and metrics reach a small
// OTLP/HTTP receiver on loopback; the default protobuf encoding works too; a dead collector
// neither hangs the exit nor prints anything on stdout.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type FaultProcess, startFault } from './support/fault-process';
import { closedPort, startHttpOrigin } from './support/servers';

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

interface OtlpReceiver {
  port: number;
  received: Received[];
  json(path: string): any[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<OtlpReceiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      if (req.method !== 'POST' || (req.url !== '/v1/traces' && req.url !== '/v1/metrics')) {
        res.writeHead(404).end();
        return;
      }
      received.push({ path: req.url, contentType, body: Buffer.concat(chunks) });
      // An empty success response, in the encoding of the request.
      if (contentType.includes('json')) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      else res.writeHead(200, { 'Content-Type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    json: (path) => received.filter((r) => r.path === path).map((r) => JSON.parse(r.body.toString('utf8'))),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** OTLP/JSON attributes ([{key, value: {stringValue|intValue|...}}]) as a plain object. */
function attributesOf(list: any[] = []): Record<string, unknown> {
  const plain = (value: any): unknown => {
    if ('stringValue' in value) return value.stringValue;
    if ('intValue' in value) return Number(value.intValue);
    if ('doubleValue' in value) return value.doubleValue;
    if ('boolValue' in value) return value.boolValue;
    if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(plain);
    return undefined;
  };
  return Object.fromEntries(list.map((a) => [a.key, plain(a.value)]));
}

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

function otelEnv(receiverPort: number, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    FAULT_WITH_OTEL: 'true',
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${receiverPort}`,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: '',
    OTEL_EXPORTER_OTLP_PROTOCOL: '',
    OTEL_SERVICE_NAME: '',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test',
    OTEL_METRIC_EXPORT_INTERVAL: '300',
    OTEL_TRACES_EXPORTER: '',
    OTEL_METRICS_EXPORTER: '',
    OTEL_SDK_DISABLED: '',
    ...extra,
  };
}

describe('OpenTelemetry over OTLP/HTTP JSON', () => {
  let receiver: OtlpReceiver;
  let faulted: Awaited<ReturnType<typeof startHttpOrigin>>;
  let passthrough: Awaited<ReturnType<typeof startHttpOrigin>>;
  let refusing: number;
  let fault: FaultProcess;
  let stdout = '';
  const startedAt = Date.now();

  before(async () => {
    receiver = await startReceiver();
    faulted = await startHttpOrigin((_req, res) => res.end('faulted'));
    passthrough = await startHttpOrigin((_req, res) => res.end('passthrough'));
    refusing = await closedPort();
    fault = await startFault(
      [
        '--proxy-address', '127.0.0.1:0',
        '--workers', '2',
        '--upstream', `127.0.0.1:${faulted.port},127.0.0.1:${refusing}`,
        '--with-latency', '--latency-mean', '3', '--latency-stddev', '0',
      ],
      { env: otelEnv(receiver.port, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }) },
    );
    const statuses = await Promise.all([
      ...Array.from({ length: 4 }, (_, i) => viaProxy(fault.proxyPort!, `http://127.0.0.1:${faulted.port}/f${i}`)),
      ...Array.from({ length: 2 }, (_, i) => viaProxy(fault.proxyPort!, `http://127.0.0.1:${passthrough.port}/p${i}`)),
      viaProxy(fault.proxyPort!, `http://127.0.0.1:${refusing}/refused`),
    ]);
    assert.deepEqual(statuses.sort(), [200, 200, 200, 200, 200, 200, 502]);
    // Let a periodic metrics export happen while the run is still going.
    await new Promise((r) => setTimeout(r, 800));
    const stopped = await fault.stop();
    assert.equal(stopped.code, 0, stopped.stderr);
    stdout = stopped.stdout;
  });
  after(async () => {
    await fault?.stop();
    await receiver?.close();
    await faulted?.close();
    await passthrough?.close();
  });

  it('exports one span per request, with its attributes', () => {
    const exports = receiver.json('/v1/traces');
    assert.ok(exports.length > 0, 'spans were exported');
    assert.ok(receiver.received.filter((r) => r.path === '/v1/traces').every((r) => r.contentType.startsWith('application/json')));
    const resourceSpans = exports.flatMap((e) => e.resourceSpans);
    const resource = attributesOf(resourceSpans[0].resource.attributes);
    assert.equal(resource['service.name'], 'fault');
    assert.equal(resource['service.version'], '0.1.0');
    assert.equal(resource['deployment.environment'], 'test');
    const spans = resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans));
    assert.equal(spans.length, 7, 'one span per request');
    const described = spans.map((span: any) => ({ span, attributes: attributesOf(span.attributes) }));
    const byTarget = (prefix: string) => described.filter((d: any) => String(d.attributes['url.full']).startsWith(prefix));

    const faultedSpans = byTarget(`http://127.0.0.1:${faulted.port}/`);
    assert.equal(faultedSpans.length, 4);
    for (const { span, attributes } of faultedSpans) {
      assert.equal(span.name, 'GET');
      assert.equal(span.kind, 2, 'SERVER');
      assert.equal(attributes['http.request.method'], 'GET');
      assert.equal(attributes['http.response.status_code'], 200);
      assert.deepEqual(attributes['fault.faults'], ['latency']);
      assert.equal(attributes['fault.injected_ms'], 3);
      assert.equal(attributes['fault.passthrough'], false);
      assert.equal(attributes['fault.bytes_to_client'], 'faulted'.length);
      assert.ok([0, 1].includes(attributes['fault.shard'] as number));
      const start = Number(BigInt(span.startTimeUnixNano) / 1_000_000n);
      const durationNs = BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano);
      assert.ok(start >= startedAt - 1000 && start <= Date.now(), 'the real start time');
      assert.ok(durationNs >= 2_500_000n, `lasted at least the injected delay: ${durationNs} ns`);
      assert.notEqual(span.status?.code, 2);
    }

    const passedSpans = byTarget(`http://127.0.0.1:${passthrough.port}/`);
    assert.equal(passedSpans.length, 2);
    for (const { attributes } of passedSpans) {
      assert.equal(attributes['fault.passthrough'], true);
      assert.deepEqual(attributes['fault.faults'], []);
      assert.equal(attributes['fault.injected_ms'], 0);
    }

    const [failed] = byTarget(`http://127.0.0.1:${refusing}/`);
    assert.ok(failed, 'the refused request has a span');
    assert.equal(failed.span.status.code, 2, 'ERROR');
    assert.match(failed.span.status.message, /refused/);
    assert.equal(failed.attributes['http.response.status_code'], 502);
    assert.match(String(failed.attributes['fault.error']), /refused/);
  });

  it('exports the run metrics, periodically and once more at exit', () => {
    const exports = receiver.json('/v1/metrics');
    assert.ok(exports.length >= 2, `a periodic export and the final one (got ${exports.length})`);
    const last = exports.at(-1);
    const metrics = last.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics));
    const named = (name: string) => metrics.find((m: any) => m.name === name);
    const value = (point: any) => Number(point.asInt ?? point.asDouble);

    const requests = named('fault.requests');
    assert.ok(requests?.sum?.isMonotonic, 'fault.requests is a monotonic sum');
    const points = requests.sum.dataPoints.map((p: any) => ({ ...attributesOf(p.attributes), value: value(p) }));
    assert.equal(points.reduce((n: number, p: any) => n + p.value, 0), 7, JSON.stringify(points));
    assert.equal(points.find((p: any) => p.fault === 'latency' && p.passthrough === 'false')?.value, 4);
    assert.equal(points.find((p: any) => p.fault === 'none' && p.passthrough === 'true')?.value, 2);

    assert.equal(value(named('fault.connections.accepted').sum.dataPoints[0]), 7);
    assert.equal(value(named('fault.errors').sum.dataPoints[0]), 1);
    assert.equal(value(named('fault.shards').gauge.dataPoints[0]), 2);
    const durations = named('fault.exchange.duration');
    assert.equal(durations.unit, 's');
    assert.equal(Number(durations.histogram.dataPoints.reduce((n: number, p: any) => n + Number(p.count), 0)), 7);
  });

  it('prints nothing of it on stdout', () => {
    assert.doesNotMatch(stdout, /resourceSpans|resourceMetrics|dataPoints|opentelemetry/i);
  });
});

describe('OpenTelemetry with the default protocol (http/protobuf)', () => {
  it('sends protobuf to /v1/traces and /v1/metrics', async () => {
    const receiver = await startReceiver();
    const origin = await startHttpOrigin((_req, res) => res.end('ok'));
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*'], {
      env: otelEnv(receiver.port, { OTEL_SERVICE_NAME: 'proto-check' }),
    });
    try {
      assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`), 200);
      const stopped = await fault.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      for (const path of ['/v1/traces', '/v1/metrics']) {
        const bodies = receiver.received.filter((r) => r.path === path);
        assert.ok(bodies.length > 0, `${path} got an export`);
        assert.ok(bodies.every((r) => r.contentType === 'application/x-protobuf'), bodies.map((r) => r.contentType).join());
        // Protobuf keeps strings as they are: the service name and the span/metric names show.
        const bytes = Buffer.concat(bodies.map((r) => r.body)).toString('latin1');
        assert.ok(bytes.includes('proto-check'), `${path}: OTEL_SERVICE_NAME is in the resource`);
        assert.ok(bytes.includes(path === '/v1/traces' ? 'url.full' : 'fault.requests'));
      }
    } finally {
      await fault.stop();
      await origin.close();
      await receiver.close();
    }
  });
});

describe('OpenTelemetry with no collector', () => {
  it('exits promptly, warns once on stderr, keeps stdout clean', async () => {
    const deadPort = await closedPort();
    const origin = await startHttpOrigin((_req, res) => res.end('ok'));
    const fault = await startFault(['--proxy-address', '127.0.0.1:0', '--workers', '1', '--upstream', '*'], {
      env: otelEnv(deadPort),
    });
    try {
      assert.equal(await viaProxy(fault.proxyPort!, `http://127.0.0.1:${origin.port}/`), 200);
      const started = Date.now();
      const stopped = await fault.stop();
      assert.equal(stopped.code, 0, stopped.stderr);
      assert.ok(Date.now() - started < 6000, 'the exit is not held by the dead collector');
      // The SDK's first complaint, once; later ones would only go to a log.
      const diagnostics = stopped.stderr.split('\n').filter((line) => line.startsWith('warning: opentelemetry:'));
      assert.equal(diagnostics.length, 1, stopped.stderr);
      assert.doesNotMatch(stopped.stdout, /opentelemetry|ECONNREFUSED/i);
    } finally {
      await fault.stop();
      await origin.close();
    }
  });
});
