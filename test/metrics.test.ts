// --metrics-address: a Prometheus scrape is valid text exposition format (checked by a strict
// little parser below), and fault_requests_total adds up to the requests sent across 2 shards.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type FaultProcess, startFault } from './support/fault-process';
import { closedPort, startHttpOrigin } from './support/servers';

// ---- a strict parser of the text format, version 0.0.4 ----

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Family {
  name: string;
  type?: string;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*(?:[eE][+-]?\\d+)?|\\.\\d+(?:[eE][+-]?\\d+)?)|NaN|[+-]Inf)';
const SAMPLE_LINE = new RegExp(
  `^(${METRIC_NAME})(?:\\{((?:${LABEL_NAME}=${LABEL_VALUE})(?:,${LABEL_NAME}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const HELP_LINE = new RegExp(`^# HELP (${METRIC_NAME}) (.*)$`);
const TYPE_LINE = new RegExp(`^# TYPE (${METRIC_NAME}) (counter|gauge|histogram|summary|untyped)$`);

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return Number(text);
}

function parseLabels(text: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  if (!text) return labels;
  for (const m of text.matchAll(new RegExp(`(${LABEL_NAME})=(${LABEL_VALUE})`, 'g'))) {
    assert.ok(!(m[1] in labels), `label ${m[1]} repeated`);
    labels[m[1]] = m[2].slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** Whether a sample belongs to a family: histogram samples carry a suffix. */
function belongsTo(sampleName: string, family: Family): boolean {
  if (sampleName === family.name) return family.type !== 'histogram';
  return family.type === 'histogram' && /^_(bucket|sum|count)$/.test(sampleName.slice(family.name.length)) && sampleName.startsWith(family.name);
}

function parseExposition(text: string): Map<string, Family> {
  assert.ok(text.endsWith('\n'), 'the document ends with a newline');
  const families = new Map<string, Family>();
  const closed = new Set<string>();
  let current: Family | undefined;
  const open = (name: string): Family => {
    if (current?.name !== name) {
      assert.ok(!closed.has(name), `${name}: its lines must be grouped together`);
      if (current) closed.add(current.name);
      current = families.get(name) ?? { name, samples: [] };
      families.set(name, current);
    }
    return current;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = HELP_LINE.exec(line))) {
      const family = open(m[1]);
      assert.equal(family.help, undefined, `${m[1]}: one HELP`);
      assert.equal(family.samples.length, 0, `${m[1]}: HELP before the samples`);
      family.help = m[2];
    } else if ((m = TYPE_LINE.exec(line))) {
      const family = open(m[1]);
      assert.equal(family.type, undefined, `${m[1]}: one TYPE`);
      assert.equal(family.samples.length, 0, `${m[1]}: TYPE before the samples`);
      family.type = m[2];
    } else if (line.startsWith('#')) {
      continue;
    } else {
      m = SAMPLE_LINE.exec(line);
      assert.ok(m, `not a valid sample line: ${JSON.stringify(line)}`);
      const family = current;
      assert.ok(family && belongsTo(m[1], family), `${m[1]}: sample outside its family (HELP/TYPE first)`);
      family.samples.push({ name: m[1], labels: parseLabels(m[2]), value: parseValue(m[3]) });
    }
  }
  for (const family of families.values()) {
    assert.ok(family.help !== undefined && family.help.length > 0, `${family.name}: has HELP`);
    assert.ok(family.type !== undefined, `${family.name}: has TYPE`);
    if (family.type === 'counter') {
      assert.match(family.name, /_total$/, 'counters end in _total');
      for (const s of family.samples) assert.ok(s.value >= 0, `${family.name}: counters are not negative`);
    }
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function checkHistogram(family: Family): void {
  const buckets = family.samples.filter((s) => s.name === `${family.name}_bucket`);
  const sum = family.samples.filter((s) => s.name === `${family.name}_sum`);
  const count = family.samples.filter((s) => s.name === `${family.name}_count`);
  assert.equal(sum.length, 1, `${family.name}_sum`);
  assert.equal(count.length, 1, `${family.name}_count`);
  assert.ok(buckets.length >= 2, `${family.name}: buckets`);
  let previousLe = -Infinity;
  let previousCount = 0;
  for (const bucket of buckets) {
    assert.ok('le' in bucket.labels, `${family.name}: every bucket has le`);
    const le = parseValue(bucket.labels.le);
    assert.ok(le > previousLe, `${family.name}: le increases`);
    assert.ok(bucket.value >= previousCount, `${family.name}: buckets are cumulative`);
    previousLe = le;
    previousCount = bucket.value;
  }
  assert.equal(buckets.at(-1)!.labels.le, '+Inf', `${family.name}: the last bucket is +Inf`);
  assert.equal(buckets.at(-1)!.value, count[0].value, `${family.name}: +Inf equals _count`);
  assert.ok(sum[0].value >= 0);
}

// ---- helpers ----

function request(options: http.RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent: false, ...options }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One request through the forward proxy, on its own connection (so the kernel may pick either shard). */
function viaProxy(proxyPort: number, url: string): Promise<number> {
  return request({ host: '127.0.0.1', port: proxyPort, path: url }).then((r) => r.status);
}

function sumOf(family: Family | undefined, where: (labels: Record<string, string>) => boolean = () => true): number {
  return (family?.samples ?? []).filter((s) => where(s.labels)).reduce((n, s) => n + s.value, 0);
}

describe('Prometheus metrics', () => {
  let faulted: Awaited<ReturnType<typeof startHttpOrigin>>;
  let passthrough: Awaited<ReturnType<typeof startHttpOrigin>>;
  let fault: FaultProcess;
  let metricsPort: number;

  before(async () => {
    faulted = await startHttpOrigin((_req, res) => res.end('faulted origin'));
    passthrough = await startHttpOrigin((_req, res) => res.end('passthrough origin'));
    metricsPort = await closedPort();
    fault = await startFault([
      '--proxy-address', '127.0.0.1:0',
      '--workers', '2',
      '--metrics-address', `127.0.0.1:${metricsPort}`,
      '--upstream', `127.0.0.1:${faulted.port}`,
      '--with-latency', '--latency-mean', '2', '--latency-stddev', '0',
    ]);
  });
  after(async () => {
    await fault?.stop();
    await faulted?.close();
    await passthrough?.close();
  });

  const scrape = () => request({ host: '127.0.0.1', port: metricsPort, path: '/metrics' });

  it('fault_requests_total adds up to the requests sent across both shards', async () => {
    const FAULTED = 60;
    const PASSED = 30;
    const urls = [
      ...Array.from({ length: FAULTED }, (_, i) => `http://127.0.0.1:${faulted.port}/f${i}`),
      ...Array.from({ length: PASSED }, (_, i) => `http://127.0.0.1:${passthrough.port}/p${i}`),
    ];
    for (let i = 0; i < urls.length; i += 15) {
      const statuses = await Promise.all(urls.slice(i, i + 15).map((url) => viaProxy(fault.proxyPort!, url)));
      assert.ok(statuses.every((s) => s === 200), `statuses: ${statuses}`);
    }

    // Shards merge their statistics about once a second: poll until the scrape catches up.
    const deadline = Date.now() + 8000;
    let families: Map<string, Family>;
    for (;;) {
      const response = await scrape();
      assert.equal(response.status, 200);
      families = parseExposition(response.body);
      const complete =
        sumOf(families.get('fault_requests_total')) === urls.length &&
        sumOf(families.get('fault_shard_exchanges_total')) === urls.length;
      if (complete || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const requests = families.get('fault_requests_total');
    assert.equal(sumOf(requests), urls.length, 'every finished request is in exactly one series');
    assert.equal(sumOf(requests, (l) => l.fault === 'latency' && l.passthrough === 'false'), FAULTED);
    assert.equal(sumOf(requests, (l) => l.fault === 'none' && l.passthrough === 'true'), PASSED);
    assert.equal(sumOf(requests, (l) => l.fault === 'none' && l.passthrough === 'false'), 0);
    assert.equal(sumOf(families.get('fault_requests_by_fault_total'), (l) => l.fault === 'latency'), FAULTED);
    assert.equal(sumOf(families.get('fault_applications_total'), (l) => l.fault === 'latency'), FAULTED);
    assert.equal(sumOf(families.get('fault_connections_accepted_total')), urls.length);
    assert.equal(sumOf(families.get('fault_shards')), 2);
    const count = families.get('fault_exchange_duration_seconds')!.samples.find((s) => s.name.endsWith('_count'))!;
    assert.equal(count.value, urls.length);
    const injected = families.get('fault_injected_delay_seconds')!.samples;
    assert.equal(injected.find((s) => s.name.endsWith('_count'))!.value, FAULTED);
    // A constant 2 ms delay: every observation is in the (1 ms, 2.5 ms] bucket.
    assert.equal(injected.find((s) => s.labels.le === '0.001')!.value, 0);
    assert.equal(injected.find((s) => s.labels.le === '0.0025')!.value, FAULTED);

    const perShard = families.get('fault_shard_exchanges_total')!.samples;
    assert.equal(perShard.length, 2, 'both shards reported');
    assert.ok(perShard.every((s) => s.value > 0), `both shards served: ${JSON.stringify(perShard)}`);
    assert.equal(families.get('fault_build_info')!.samples[0].value, 1);
    assert.equal(families.get('fault_build_info')!.samples[0].labels.version, '0.1.0');
  });

  it('answers HEAD without a body, 404 elsewhere, 405 for other methods', async () => {
    const get = await scrape();
    assert.match(String(get.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    const head = await request({ host: '127.0.0.1', port: metricsPort, path: '/metrics', method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.match(String(head.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.equal((await request({ host: '127.0.0.1', port: metricsPort, path: '/' })).status, 404);
    assert.equal((await request({ host: '127.0.0.1', port: metricsPort, path: '/metrics/x' })).status, 404);
    const post = await request({ host: '127.0.0.1', port: metricsPort, path: '/metrics', method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});

describe('the exposition writer', () => {
  it('escapes HELP text and label values', async () => {
    const { ExpositionWriter } = await import('../src/metrics/prometheus-text');
    const out = new ExpositionWriter();
    out.family('x_total', 'counter', 'back\\slash and\nnewline');
    out.sample('x_total', { path: 'a "quoted" \\ value\nhere' }, 3);
    const text = out.text();
    assert.equal(
      text,
      '# HELP x_total back\\\\slash and\\nnewline\n# TYPE x_total counter\nx_total{path="a \\"quoted\\" \\\\ value\\nhere"} 3\n',
    );
    const families = parseExposition(text);
    assert.equal(families.get('x_total')!.samples[0].labels.path, 'a "quoted" \\ value\nhere');
  });
});
