// CLI tests: the small config grammars, RunConfig building, and the `fault` binary's exit
// statuses and one-line error messages.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { buildRunConfig } from '../src/cli/run-command';
import { demoConfigFrom } from '../src/cli/demo-command';
import { UsageError } from '../src/cli/usage-error';
import { parseDuration } from '../src/config/duration';
import { parsePortMapping } from '../src/config/mapping';
import { parseSchedule } from '../src/config/schedule';
import { matchesUpstream, parseUpstream, parseUpstreams } from '../src/config/upstream';
import { InvalidValueError } from '../src/config/validate';
import type { LatencyFaultSpec, RunConfig } from '../src/config/types';

const BIN = resolve(__dirname, '../../bin/fault.js');

function fault(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  // A clean environment, so FAULT_* variables of the developer's shell cannot leak in.
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 15_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertUsageFailure(args: string[], mentions: string, env: Record<string, string> = {}): void {
  const { status, stderr } = fault(args, env);
  assert.equal(status, 2, `exit status for ${args.join(' ')}: ${stderr}`);
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got: ${stderr}`);
  assert.match(lines[0], /^error: /);
  assert.ok(lines[0].includes(mentions), `'${lines[0]}' should mention ${mentions}`);
}


/** The latency fault of a run configuration (the tests below configure exactly one). */
function latencySpecOf(config: RunConfig): LatencyFaultSpec {
  const spec = config.faults.find((f) => f.spec.kind === 'latency')?.spec;
  assert.ok(spec && spec.kind === 'latency', 'a latency fault is configured');
  return spec;
}

describe('parseDuration', () => {
  const cases: Array<[string, number]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2 minutes', 120_000],
    ['45', 45_000],
    ['1.5', 1_500],
    ['1e3ms', 1_000],
    ['1h 1h', 7_200_000],
    ['1 hour 30 minutes', 5_400_000],
    ['3 secs', 3_000],
    ['2hrs', 7_200_000],
    ['1d', 86_400_000],
    ['2w', 1_209_600_000],
    ['100us', 0.1],
    ['1µs', 0.001],
    ['250ns', 0.00025],
    ['.5s', 500],
    ['10S', 10_000],
    ['  15s  ', 15_000],
    ['0s', 0],
  ];
  for (const [text, ms] of cases) {
    it(`reads '${text}' as ${ms} ms`, () => assert.ok(Math.abs(parseDuration(text) - ms) < 1e-9));
  }
  for (const bad of ['', 'abc', '5 parsecs', '-5s', '1h30', '5s!', '1..5s', 's', '1e999s', '0x10s', '10 s m']) {
    it(`rejects '${bad}'`, () => assert.throws(() => parseDuration(bad), InvalidValueError));
  }
});

describe('parseUpstream', () => {
  const cases: Array<[string, ReturnType<typeof parseUpstream>]> = [
    ['*', { kind: 'any' }],
    ['http://Example.com', { kind: 'host', host: 'example.com', port: 80 }],
    ['https://api.example.com/v1/items?x=1', { kind: 'host', host: 'api.example.com', port: 443 }],
    ['http://h:1/api', { kind: 'host', host: 'h', port: 1 }],
    ['http://user:pw@h:8080', { kind: 'host', host: 'h', port: 8080 }],
    ['tcp://db:5432', { kind: 'host', host: 'db', port: 5432 }],
    ['custom://db', { kind: 'host', host: 'db', port: undefined }],
    // The original crashed on a bare host (its own docs' example).
    ['example.com', { kind: 'host', host: 'example.com', port: undefined }],
    ['localhost', { kind: 'host', host: 'localhost', port: undefined }],
    ['LOCALHOST:8080', { kind: 'host', host: 'localhost', port: 8080 }],
    ['192.168.1.3:7070', { kind: 'host', host: '192.168.1.3', port: 7070 }],
    ['[::1]:8080', { kind: 'host', host: '::1', port: 8080 }],
    ['[::1]', { kind: 'host', host: '::1', port: undefined }],
    ['::1', { kind: 'host', host: '::1', port: undefined }],
    ['[0:0::1]', { kind: 'host', host: '::1', port: undefined }],
    ['http://[::1]:9000/x', { kind: 'host', host: '::1', port: 9000 }],
    ['https://[2001:DB8::1]', { kind: 'host', host: '2001:db8::1', port: 443 }],
  ];
  for (const [text, expected] of cases) {
    it(`reads '${text}'`, () => assert.deepEqual(parseUpstream(text), expected));
  }
  for (const bad of ['*.example.com', 'host:abc', 'host:70000', 'host:0', 'http://:80', '[::1', '[::1]x', 'bad host!', 'a:b:c', 'http://']) {
    it(`rejects '${bad}' naming it`, () =>
      assert.throws(() => parseUpstream(bad), (error: Error) => error instanceof InvalidValueError && error.message.includes(`'${bad}'`)));
  }
  it('accepts repetition and comma lists, skipping empty items', () => {
    assert.deepEqual(parseUpstreams(['a.com, b.com:90', 'c.com,']), [
      { kind: 'host', host: 'a.com', port: undefined },
      { kind: 'host', host: 'b.com', port: 90 },
      { kind: 'host', host: 'c.com', port: undefined },
    ]);
  });
});

describe('matchesUpstream', () => {
  const matchers = parseUpstreams(['example.com', 'api.test:8443', '[::1]:9000', '127.0.0.1:7070']);
  it('matches a bare host on any port', () => {
    assert.ok(matchesUpstream(matchers, 'example.com', 80));
    assert.ok(matchesUpstream(matchers, 'EXAMPLE.com', 12345));
  });
  it('requires the listed port when one is given', () => {
    assert.ok(matchesUpstream(matchers, 'api.test', 8443));
    assert.ok(!matchesUpstream(matchers, 'api.test', 443));
  });
  it('compares IPv6 with or without brackets', () => {
    assert.ok(matchesUpstream(matchers, '::1', 9000));
    assert.ok(matchesUpstream(matchers, '[::1]', 9000));
  });
  it('does not treat localhost and 127.0.0.1 as the same host', () => {
    assert.ok(matchesUpstream(matchers, '127.0.0.1', 7070));
    assert.ok(!matchesUpstream(matchers, 'localhost', 7070));
  });
  it('matches no subdomains', () => assert.ok(!matchesUpstream(matchers, 'www.example.com', 80)));
  it('* matches everything, an empty list nothing', () => {
    assert.ok(matchesUpstream(parseUpstreams(['*']), 'anything', 1));
    assert.ok(!matchesUpstream([], 'anything', 1));
  });
});

describe('parsePortMapping', () => {
  const cases: Array<[string, { protocol: string; listen: string; remote: string; tls: boolean }]> = [
    ['8080=example.com:80', { protocol: 'tcp', listen: '127.0.0.1:8080', remote: 'example.com:80', tls: false }],
    ['35432=db:5432', { protocol: 'tcp', listen: '127.0.0.1:35432', remote: 'db:5432', tls: false }],
    ['0.0.0.0:9000=db:5432', { protocol: 'tcp', listen: '0.0.0.0:9000', remote: 'db:5432', tls: false }],
    [':7000=h:1', { protocol: 'tcp', listen: '127.0.0.1:7000', remote: 'h:1', tls: false }],
    ['0=h:1', { protocol: 'tcp', listen: '127.0.0.1:0', remote: 'h:1', tls: false }], // 0 = a free port, shown in the prelude
    ['localhost:9000=db:5432', { protocol: 'tcp', listen: 'localhost:9000', remote: 'db:5432', tls: false }],
    ['tcp:[::1]:9000=[::1]:5432', { protocol: 'tcp', listen: '::1:9000', remote: '::1:5432', tls: false }],
    ['http:8080=example.com', { protocol: 'http', listen: '127.0.0.1:8080', remote: 'example.com:80', tls: false }],
    ['https:8443=api.example.com', { protocol: 'https', listen: '127.0.0.1:8443', remote: 'api.example.com:443', tls: true }],
    ['http:8080=https://example.com', { protocol: 'http', listen: '127.0.0.1:8080', remote: 'example.com:443', tls: true }],
    ['HTTP:8080=HTTP://Example.COM:81', { protocol: 'http', listen: '127.0.0.1:8080', remote: 'example.com:81', tls: false }],
    ['http://0.0.0.0:8080=h:80', { protocol: 'http', listen: '0.0.0.0:8080', remote: 'h:80', tls: false }],
    ['psql:5433=db', { protocol: 'psql', listen: '127.0.0.1:5433', remote: 'db:5432', tls: false }],
    ['psqls:5433=db', { protocol: 'psqls', listen: '127.0.0.1:5433', remote: 'db:5432', tls: true }],
    ['5433=psqls://db', { protocol: 'tcp', listen: '127.0.0.1:5433', remote: 'db:5432', tls: true }],
    ['tls:9443=example.com:443', { protocol: 'tls', listen: '127.0.0.1:9443', remote: 'example.com:443', tls: true }],
    ['9443=tls://example.com:443', { protocol: 'tcp', listen: '127.0.0.1:9443', remote: 'example.com:443', tls: true }],
    // The original's docs example that failed there with "Invalid port".
    ['9090=https://www.google.com', { protocol: 'tcp', listen: '127.0.0.1:9090', remote: 'www.google.com:443', tls: true }],
    ['9090=https://www.google.com/', { protocol: 'tcp', listen: '127.0.0.1:9090', remote: 'www.google.com:443', tls: true }],
    [' 8080 = example.com:80 ', { protocol: 'tcp', listen: '127.0.0.1:8080', remote: 'example.com:80', tls: false }],
  ];
  for (const [text, expected] of cases) {
    it(`reads '${text}'`, () => {
      const mapping = parsePortMapping(text);
      assert.deepEqual(
        {
          protocol: mapping.listenProtocol,
          listen: `${mapping.listen.host}:${mapping.listen.port}`,
          remote: `${mapping.remote.host}:${mapping.remote.port}`,
          tls: mapping.remoteTls,
        },
        expected,
      );
    });
  }
  const bad = [
    '8080', // no '='
    '=h:1',
    '8080=',
    '8080=h', // tcp needs a port
    '8080=tcp://h',
    '8080=tls://h',
    '70000=h:1',
    'abc=h:1',
    'foo://8080=h:1',
    '8080=ftp://h:1',
    '8080=h:99999',
    'https:8443=http://h', // TLS listener, plain remote
    'http:8080=psql://db', // HTTP listener, non-HTTP remote
    '8080=h:1/path',
    '::1:8080=h:1', // IPv6 needs brackets
    'tls=h:1',
    'http:=h:1',
  ];
  for (const text of bad) {
    it(`rejects '${text}' naming the mapping`, () =>
      assert.throws(
        () => parsePortMapping(text),
        (error: Error) => error instanceof InvalidValueError && error.message.startsWith(`Invalid mapping '${text}'`),
      ));
  }
});

describe('parseSchedule', () => {
  it('reads one window', () =>
    assert.deepEqual(parseSchedule('start:10s,duration:30s').windows, [{ startMs: 10_000, endMs: 40_000 }]));
  it('defaults start to 0 and duration to the end of the run', () => {
    assert.deepEqual(parseSchedule('start:5s').windows, [{ startMs: 5_000 }]);
    assert.deepEqual(parseSchedule('duration:1m').windows, [{ startMs: 0, endMs: 60_000 }]);
  });
  it('reads bare seconds and whitespace', () =>
    assert.deepEqual(parseSchedule(' start : 30 , duration: 1m30s ').windows, [{ startMs: 30_000, endMs: 120_000 }]));
  it('reads percentages of --duration', () =>
    assert.deepEqual(parseSchedule('start:10%,duration:12.5%', 100_000).windows, [{ startMs: 10_000, endMs: 22_500 }]));
  it('reads several windows, sorted, skipping empty ones', () =>
    assert.deepEqual(parseSchedule(';start:5s,duration:2s;;start:1s,duration:1s;').windows, [
      { startMs: 1_000, endMs: 2_000 },
      { startMs: 5_000, endMs: 7_000 },
    ]));
  it('merges overlapping windows', () =>
    assert.deepEqual(parseSchedule('start:0s,duration:10s;start:5s,duration:10s;start:30s').windows, [
      { startMs: 0, endMs: 15_000 },
      { startMs: 30_000 },
    ]));
  it('warns about the docs-style start;duration split and still reads two windows', () => {
    const parsed = parseSchedule('start:30s;duration:3m');
    assert.deepEqual(parsed.windows, [{ startMs: 0 }]);
    assert.equal(parsed.warnings.length, 1);
    assert.ok(parsed.warnings[0].includes("'start:30s,duration:3m'"), parsed.warnings[0]);
  });
  it('does not warn for ordinary windows', () =>
    assert.deepEqual(parseSchedule('start:1s,duration:1s;start:5s').warnings, []));
  it('warns about windows that start after the run', () =>
    assert.equal(parseSchedule('start:2m', 60_000).warnings.length, 1));
  it('needs --duration for percentages, with the original text', () =>
    assert.throws(() => parseSchedule('start:10%'), {
      message:
        "Fraction-based time spec ('10%') used but no --duration provided. Hint: Please specify a duration " +
        '(e.g., --duration=10s) when using fraction-based time specs.',
    }));
  it('names unknown keys like the original', () =>
    assert.throws(() => parseSchedule('begin:1s'), {
      message: "Unknown key ('begin') used in schedule. Hint: Only `start` and `duration` are allowed.",
    }));
  it('rejects unparsable specs', () => assert.throws(() => parseSchedule('start:soon'), /Time spec \('soon'\) could not be parsed/));
  it('rejects bad fractions', () => assert.throws(() => parseSchedule('start:150%', 1000), /Invalid time fraction \('150%'\)/));
  for (const bad of ['', ' ; ', 'start', 'start:1s,start:2s', 'duration:0s', 'start:-1s', 'start:abc%']) {
    it(`rejects '${bad}'`, () => assert.throws(() => parseSchedule(bad, 60_000), InvalidValueError));
  }
});

describe('buildRunConfig', () => {
  it('uses the documented defaults', () => {
    const config = buildRunConfig([], {});
    assert.deepEqual(config.proxyAddress, { host: '127.0.0.1', port: 3180 });
    assert.equal(config.disableHttpProxy, false);
    assert.deepEqual(config.mappings, []);
    assert.deepEqual(config.upstreams, []);
    assert.equal(config.durationMs, undefined);
    assert.ok(config.workers >= 1 && config.workers <= 256);
    assert.equal(config.seed, undefined);
    assert.equal(config.connectTimeoutMs, 10_000);
    assert.equal(config.drainTimeoutMs, 2_000);
    assert.equal(config.noUi, false);
    assert.equal(config.tail, false);
    assert.deepEqual(config.faults, []);
  });

  it('builds the latency fault with its defaults', () => {
    const config = buildRunConfig(['--with-latency', '--latency-mean', '50', '--latency-stddev', '5'], {});
    assert.deepEqual(config.faults, [
      {
        id: 'latency',
        schedule: [],
        spec: {
          kind: 'latency',
          distribution: 'normal',
          mean: 50,
          stddev: 5,
          shape: 0,
          scale: 0,
          min: 0,
          max: 0,
          side: 'server',
          direction: 'ingress',
          perReadWrite: false,
        },
      },
    ]);
  });

  for (const spelling of ['pareto_normal', 'paretonormal', 'pareto-normal', 'Pareto-Normal']) {
    it(`accepts the distribution spelling '${spelling}'`, () => {
      const config = buildRunConfig(
        ['--with-latency', '--latency-distribution', spelling, '--latency-shape', '2', '--latency-scale', '20', '--latency-mean', '5'],
        {},
      );
      assert.equal(latencySpecOf(config).distribution, 'pareto-normal');
    });
  }

  it('reads every option from the environment', () => {
    const config = buildRunConfig([], {
      FAULT_HTTP_PROXY_ADDRESS: '[::1]:4000',
      FAULT_UPSTREAMS: 'a.com,b.com:81',
      FAULT_PROXY_DURATION: '2m',
      FAULT_PROXY_NO_UI: 'yes',
      FAULT_PROXY_TAILING: 'off',
      FAULT_WORKERS: '3',
      FAULT_SEED: '4294967295',
      FAULT_CONNECT_TIMEOUT: '1500ms',
      FAULT_DRAIN_TIMEOUT: '0',
      FAULT_WITH_LATENCY: 'TRUE',
      FAULT_LATENCY_PER_READ_WRITE: '1',
      FAULT_LATENCY_SIDE: 'client',
      FAULT_LATENCY_DIRECTION: 'both',
      FAULT_LATENCY_DISTRIBUTION: 'uniform',
      FAULT_LATENCY_MIN: '10',
      FAULT_LATENCY_MAX: '20',
      FAULT_LATENCY_SCHED: 'start:50%',
    });
    assert.deepEqual(config.proxyAddress, { host: '::1', port: 4000 });
    assert.deepEqual(config.upstreamsText, ['a.com', 'b.com:81']);
    assert.equal(config.upstreams.length, 2);
    assert.equal(config.durationMs, 120_000);
    assert.equal(config.noUi, true);
    assert.equal(config.tail, false);
    assert.equal(config.workers, 3);
    assert.equal(config.seed, 4294967295);
    assert.equal(config.connectTimeoutMs, 1_500);
    assert.equal(config.drainTimeoutMs, 0);
    assert.deepEqual(config.faults[0].schedule, [{ startMs: 60_000 }]);
    const latency = latencySpecOf(config);
    assert.equal(latency.side, 'client');
    assert.equal(latency.direction, 'both');
    assert.equal(latency.perReadWrite, true);
    assert.equal(latency.distribution, 'uniform');
  });

  it('lets the command line win over the environment', () => {
    const config = buildRunConfig(['--with-latency', '--latency-mean', '7', '-u', 'x.com', '--upstream', 'y.com,z.com'], {
      FAULT_LATENCY_MEAN: '99',
      FAULT_UPSTREAMS: 'env.com',
    });
    assert.equal(latencySpecOf(config).mean, 7);
    assert.deepEqual(config.upstreamsText, ['x.com', 'y.com', 'z.com']);
  });

  it('treats a false boolean env var as false (commander alone would say true)', () => {
    const config = buildRunConfig([], { FAULT_WITH_LATENCY: 'false', FAULT_DISABLE_HTTP_PROXY: '0' });
    assert.deepEqual(config.faults, []);
    assert.equal(config.disableHttpProxy, false);
  });

  it('accepts hostnames and mappings', () => {
    const config = buildRunConfig(['--proxy-address', 'localhost:3181', '--proxy', '9000=db:5432', '--proxy', 'http:9001=example.com'], {});
    assert.deepEqual(config.proxyAddress, { host: 'localhost', port: 3181 });
    assert.equal(config.mappings.length, 2);
    assert.equal(config.mappings[1].listenProtocol, 'http');
  });

  it('accepts the hidden `run proxy` alias', () => {
    const config = buildRunConfig(['--with-latency', '--latency-mean', '5', 'proxy'], {});
    assert.equal(config.faults.length, 1);
  });

  it('passes schedule warnings to the caller', () => {
    const warnings: string[] = [];
    buildRunConfig(['--with-latency', '--latency-mean', '5', '--latency-sched', 'start:30s;duration:3m'], {}, (w) => warnings.push(w));
    assert.equal(warnings.length, 1);
    assert.ok(warnings[0].startsWith('--latency-sched: '), warnings[0]);
  });

  it('warns when a schedule is given without its fault', () => {
    const warnings: string[] = [];
    const config = buildRunConfig(['--latency-sched', 'start:1s'], {}, (w) => warnings.push(w));
    assert.deepEqual(config.faults, []);
    assert.deepEqual(warnings, ['--latency-sched is ignored without --with-latency.']);
  });

  const invalid: Array<[string, string[], Record<string, string>, string]> = [
    ['negative mean', ['--with-latency', '--latency-mean=-5'], {}, '--latency-mean: Value must be a non-negative number.'],
    ['garbage number', ['--with-latency', '--latency-stddev', 'ten'], {}, '--latency-stddev: Invalid floating-point number.'],
    ['env number', ['--with-latency'], { FAULT_LATENCY_MEAN: '-3' }, 'FAULT_LATENCY_MEAN: Value must be a non-negative number.'],
    ['unknown distribution', ['--with-latency', '--latency-distribution', 'gauss'], {}, '--latency-distribution: Invalid value'],
    ['unknown side', ['--with-latency', '--latency-mean', '1', '--latency-side', 'middle'], {}, '--latency-side'],
    ['bad boolean env', [], { FAULT_PROXY_NO_UI: 'maybe' }, 'FAULT_PROXY_NO_UI: Invalid boolean'],
    ['bad duration', ['--duration', '5 parsecs'], {}, '--duration: '],
    ['zero duration', ['--duration', '0s'], {}, '--duration: '],
    ['zero workers', ['--workers', '0'], {}, '--workers: Value must be an integer between 1 and 256.'],
    ['too many workers', ['--workers', '1000'], {}, '--workers: '],
    ['negative seed', ['--seed=-1'], {}, '--seed: '],
    ['seed too large', ['--seed', '4294967296'], {}, '--seed: '],
    ['bad proxy address', ['--proxy-address', '127.0.0.1'], {}, '--proxy-address: '],
    ['bad env proxy address', [], { FAULT_HTTP_PROXY_ADDRESS: '::1:3180' }, 'FAULT_HTTP_PROXY_ADDRESS: '],
    ['bad mapping', ['--proxy', '8080=db'], {}, "--proxy: Invalid mapping '8080=db'"],
    ['bad upstream', ['-u', 'ok.com,*.bad.com'], {}, "--upstream: Invalid upstream '*.bad.com'"],
    ['bad env upstream', [], { FAULT_UPSTREAMS: 'host:99999' }, 'FAULT_UPSTREAMS: '],
    ['percent without duration', ['--with-latency', '--latency-mean', '1', '--latency-sched', 'start:10%'], {}, '--latency-sched: Fraction-based'],
    ['listener clash', ['--proxy', '3180=db:1'], {}, 'already uses'],
    ['nothing to run', ['--disable-http-proxy'], {}, '--disable-http-proxy'],
    ['bad connect timeout', ['--connect-timeout', 'soon'], {}, '--connect-timeout: '],
    ['unknown flag', ['--with-latencyy'], {}, 'unknown option'],
  ];
  for (const [name, argv, env, message] of invalid) {
    it(`rejects: ${name}`, () =>
      assert.throws(
        () => buildRunConfig(argv, env),
        (error: Error) => error instanceof UsageError && error.message.includes(message),
      ));
  }
});

describe('demoConfigFrom', () => {
  it('defaults to 127.0.0.1:7070', () => assert.deepEqual(demoConfigFrom(undefined, undefined, {}), { address: '127.0.0.1', port: 7070 }));
  it('reads the environment', () =>
    assert.deepEqual(demoConfigFrom(undefined, undefined, { FAULT_DEMO_ADDR: '0.0.0.0', FAULT_DEMO_PORT: '8080' }), {
      address: '0.0.0.0',
      port: 8080,
    }));
  it('prefers the arguments', () =>
    assert.deepEqual(demoConfigFrom('[::1]', '9000', { FAULT_DEMO_PORT: '8080' }), { address: '::1', port: 9000 }));
  it('names the bad argument', () => assert.throws(() => demoConfigFrom(undefined, 'x', {}), /^UsageError: PORT: /));
  it('names the bad env var', () => assert.throws(() => demoConfigFrom(undefined, undefined, { FAULT_DEMO_PORT: '0' }), /FAULT_DEMO_PORT: /));
});

describe('fault binary', () => {
  it('prints its version', () => {
    const { status, stdout } = fault(['--version']);
    assert.equal(status, 0);
    assert.equal(stdout, 'fault 0.1.0\n');
  });
  it('prints help with exit 0', () => {
    const { status, stdout } = fault(['--help']);
    assert.equal(status, 0);
    assert.match(stdout, /run/);
    assert.match(stdout, /FAULT_LOG_LEVEL/);
  });
  it('documents env vars and defaults in run --help', () => {
    const { status, stdout: wrapped } = fault(['run', '--help']);
    assert.equal(status, 0);
    const stdout = wrapped.replace(/\s+/g, ' ');
    assert.match(stdout, /FAULT_HTTP_PROXY_ADDRESS/);
    assert.match(stdout, /default: "127\.0\.0\.1:3180"/);
    assert.match(stdout, /FAULT_LATENCY_STANDARD_DEVIATION/);
    assert.match(stdout, /Latency fault:/);
  });
  it('shows help and exits 2 without a command', () => {
    const { status, stderr } = fault([]);
    assert.equal(status, 2);
    assert.match(stderr, /Usage: fault/);
  });
  it('exits 2 on an unknown command', () => assertUsageFailure(['frobnicate'], 'frobnicate'));
  it('exits 2 on an unknown flag', () => assertUsageFailure(['run', '--nope'], '--nope'));
  it('exits 2 on a global flag with a bad env value', () =>
    assertUsageFailure(['run'], 'FAULT_WITH_STDOUT_LOGGING', { FAULT_WITH_STDOUT_LOGGING: 'sure' }));

  const failures: Array<[string, string[], Record<string, string>, string]> = [
    ['negative mean', ['run', '--with-latency', '--latency-mean', '-5'], {}, '--latency-mean'],
    ['unknown distribution', ['run', '--with-latency', '--latency-distribution', 'gauss'], {}, '--latency-distribution'],
    ['uniform without min < max', ['run', '--with-latency', '--latency-distribution', 'uniform', '--latency-min', '10', '--latency-max', '5'], {}, '--latency-m'],
    ['pareto without shape/scale', ['run', '--with-latency', '--latency-distribution', 'pareto'], {}, '--latency-s'],
    ['bad duration', ['run', '--duration', 'forever'], {}, '--duration'],
    ['bad --workers', ['run', '--workers', 'many'], {}, '--workers'],
    ['bad --proxy mapping', ['run', '--proxy', 'nine=db:5432'], {}, '--proxy'],
    ['bad boolean env var', ['run'], { FAULT_WITH_LATENCY: 'maybe' }, 'FAULT_WITH_LATENCY'],
    ['bad env number', ['run', '--with-latency'], { FAULT_LATENCY_MEAN: '-3' }, 'FAULT_LATENCY_MEAN'],
    ['bad demo port', ['demo', 'run', '127.0.0.1', '99999'], {}, 'PORT'],
    ['bad demo env port', ['demo', 'run'], { FAULT_DEMO_PORT: 'http' }, 'FAULT_DEMO_PORT'],
    ['report in a missing directory', ['run', '--report', '/nonexistent-dir-of-fault/r.json'], {}, '--report'],
    ['report under a regular file', ['run', '--report', `${BIN}/r.json`], {}, 'is not a writable directory'],
  ];
  for (const [name, args, env, mentions] of failures) {
    it(`exits 2 naming the culprit: ${name}`, () => assertUsageFailure(args, mentions, env));
  }

  it('exits 2 at once for a --report path that is a directory', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fault-cli-')), 'report.json');
    mkdirSync(dir);
    try {
      assertUsageFailure(['run', '--report', dir], 'is a directory');
    } finally {
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  it('warns about fault parameters given without their --with-... flag', () => {
    const { status, stderr } = fault(['run', '--proxy-address', '127.0.0.1:0', '--duration', '200ms', '--no-ui',
      '--latency-mean', '40', '--http-response-status', '503', '--http-response-body', 'x']);
    assert.equal(status, 0, stderr);
    assert.match(stderr, /warning: --latency-mean is ignored without --with-latency\./);
    assert.match(stderr, /warning: --http-response-status, --http-response-body are ignored without --with-http-response\./);
  });
});
