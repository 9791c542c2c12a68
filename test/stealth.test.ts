// Stealth mode end to end: real eBPF programs on the cgroup v2 root, a copy of curl named
// `fcurl`, psql against a PostgreSQL started here, and every way a run can end. Needs root and
// the eBPF build outputs; otherwise the tests are skipped with the reason.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildRunConfig } from '../src/cli/run-command';
import { findCgroup2Mount, mountTypeOf, preflight, STEALTH_OBJECT_PATH } from '../src/stealth/stealth';
import { FAULT_BIN, startFault, type FaultProcess } from './support/fault-process';

const OUR_PROGRAMS = ['fault_connect4', 'fault_sockops', 'fault_sockopt'];

function skipReason(): string | false {
  if (process.platform !== 'linux') return `stealth mode is Linux-only (platform ${process.platform})`;
  if (process.getuid?.() !== 0) return 'not running as root (eBPF programs need root or CAP_BPF/NET_ADMIN/SYS_ADMIN)';
  const { missing } = preflight({ processName: 'x', proxyPort: 0 });
  if (missing.length > 0) return `the eBPF objects could not be built or loaded: ${missing.join('; ')}`;
  if (spawnSync('curl', ['--version']).status !== 0) return 'curl is not installed';
  if (spawnSync('bpftool', ['version']).status !== 0) return 'bpftool is not installed (apt-get install bpftool)';
  return false;
}
const skip = skipReason();
if (skip) console.log(`# stealth.test: skipping: ${skip}`);

const CGROUP = findCgroup2Mount() ?? '/sys/fs/cgroup';
let tmp = '';
let fcurl = '';
const origins: http.Server[] = [];
const originPorts: number[] = [];

function listenOrigin(body: string): Promise<number> {
  const server = http.createServer((_req, res) => res.end(body));
  origins.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a curl binary (async: the proxy shares this event loop's machine, not this process). */
function curlWith(binary: string, url: string): Promise<{ body: string; seconds: number; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(binary, ['-s', '--max-time', '10', '-w', '\n%{time_total}', url], { env: { PATH: process.env.PATH } });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.once('exit', (code) => {
      const lines = out.split('\n');
      const seconds = Number(lines.pop());
      resolve({ body: lines.join('\n'), seconds, code });
    });
  });
}

function attachedPrograms(): string[] {
  const shown = execFileSync('bpftool', ['cgroup', 'show', CGROUP], { encoding: 'utf8' });
  return OUR_PROGRAMS.filter((name) => shown.includes(name));
}

/** Our programs still loaded anywhere (a program lives on while a link or fd holds it). */
function loadedPrograms(): string[] {
  const shown = execFileSync('bpftool', ['prog', 'show'], { encoding: 'utf8' });
  return OUR_PROGRAMS.filter((name) => new RegExp(`name ${name}\\b`).test(shown));
}

async function waitGone(): Promise<void> {
  // The kernel releases programs asynchronously (RCU) after the last fd closes.
  for (let i = 0; i < 50 && (attachedPrograms().length > 0 || loadedPrograms().length > 0); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(attachedPrograms(), [], `still attached to ${CGROUP}`);
  assert.deepEqual(loadedPrograms(), [], 'still loaded');
}

function stealthPort(fault: FaultProcess): number {
  const m = /Stealth\s+\S+:(\d+) <=/.exec(fault.stdout());
  assert.ok(m, `no stealth line in the prelude:\n${fault.stdout()}`);
  return Number(m[1]);
}

const LATENCY = ['--with-latency', '--latency-mean', '300', '--latency-stddev', '0'];

describe('stealth mode (eBPF)', { skip }, () => {
  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-stealth-'));
    fs.chmodSync(tmp, 0o755);
    fcurl = path.join(tmp, 'fcurl');
    fs.copyFileSync(execFileSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).trim(), fcurl);
    fs.chmodSync(fcurl, 0o755);
    originPorts.push(await listenOrigin('origin A'), await listenOrigin('origin B'));
    assert.deepEqual(attachedPrograms(), [], 'programs of ours were attached before the tests');
  });
  after(() => {
    for (const s of origins) s.close();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('rejects an empty capture name and --stealth without one', () => {
    assert.throws(() => buildRunConfig(['--stealth', '--capture-process', '']), /must not be empty/);
    assert.throws(() => buildRunConfig(['--stealth']), /needs --capture-process/);
    assert.throws(() => buildRunConfig(['--capture-process', 'x']), /only applies with --stealth/);
    const config = buildRunConfig([], { FAULT_ENABLE_STEALTH: '1', FAULT_EBPF_PROCESS_NAME: 'psql', FAULT_EBPF_PROXY_PORT: '4000' });
    assert.deepEqual(config.stealth, { processName: 'psql', proxyIp: undefined, proxyPort: 4000, iface: undefined, cgroupPath: undefined });
  });

  it('redirects fcurl through the faults to the right origin, leaves curl alone, and detaches on SIGTERM', async () => {
    const fault = await startFault(['--stealth', '--capture-process', 'fcurl', '--proxy-address', '127.0.0.1:0', ...LATENCY]);
    try {
      assert.ok(stealthPort(fault) > 0);
      assert.match(fault.stdout(), /processes named fcurl\*/);
      assert.deepEqual(attachedPrograms(), OUR_PROGRAMS);
      const a = await curlWith(fcurl, `http://127.0.0.1:${originPorts[0]}/`);
      const b = await curlWith(fcurl, `http://127.0.0.1:${originPorts[1]}/`);
      assert.equal(a.body, 'origin A');
      assert.equal(b.body, 'origin B');
      assert.ok(a.seconds >= 0.3 && b.seconds >= 0.3, `fcurl saw the latency (${a.seconds}s, ${b.seconds}s)`);
      const plain = await curlWith('curl', `http://127.0.0.1:${originPorts[0]}/`);
      assert.equal(plain.body, 'origin A');
      assert.ok(plain.seconds < 0.25, `curl is not captured (${plain.seconds}s)`);
    } finally {
      const { code, stdout } = await fault.stop();
      assert.equal(code, 0, stdout);
      assert.match(stdout, /Connections\s+2 accepted/);
    }
    await waitGone();
    const direct = await curlWith(fcurl, `http://127.0.0.1:${originPorts[0]}/`);
    assert.equal(direct.body, 'origin A');
    assert.ok(direct.seconds < 0.25, `fcurl goes direct again (${direct.seconds}s)`);
  });

  it('detaches when the run ends by --duration', async () => {
    const fault = await startFault(['--stealth', '--capture-process', 'fcurl', '--proxy-address', '127.0.0.1:0', '--duration', '1500ms', ...LATENCY]);
    const delayed = await curlWith(fcurl, `http://127.0.0.1:${originPorts[1]}/`);
    assert.equal(delayed.body, 'origin B');
    assert.ok(delayed.seconds >= 0.3);
    const code = await new Promise<number | null>((resolve) =>
      fault.child.exitCode !== null ? resolve(fault.child.exitCode) : fault.child.once('exit', resolve),
    );
    assert.equal(code, 0);
    await waitGone();
    const direct = await curlWith(fcurl, `http://127.0.0.1:${originPorts[1]}/`);
    assert.ok(direct.body === 'origin B' && direct.seconds < 0.25);
  });

  it('detaches when the fault process is killed with SIGKILL (links die with their fds)', async () => {
    const fault = await startFault(['--stealth', '--capture-process', 'fcurl', '--proxy-address', '127.0.0.1:0', ...LATENCY]);
    assert.deepEqual(attachedPrograms(), OUR_PROGRAMS);
    const exited = new Promise((resolve) => fault.child.once('exit', resolve));
    fault.child.kill('SIGKILL');
    await exited;
    await waitGone();
    const direct = await curlWith(fcurl, `http://127.0.0.1:${originPorts[0]}/`);
    assert.ok(direct.body === 'origin A' && direct.seconds < 0.25, JSON.stringify(direct));
  });

  it('lets two fault processes capture different names, and refuses an overlapping one', async () => {
    const gcurl = path.join(tmp, 'gcurl');
    fs.copyFileSync(fcurl, gcurl);
    const first = await startFault(['--stealth', '--capture-process', 'fcurl', '--proxy-address', '127.0.0.1:0', ...LATENCY]);
    let second: FaultProcess | undefined;
    try {
      second = await startFault(['--stealth', '--capture-process', 'gcurl', '--proxy-address', '127.0.0.1:0',
        '--with-latency', '--latency-mean', '600', '--latency-stddev', '0']);
      const f = await curlWith(fcurl, `http://127.0.0.1:${originPorts[0]}/`);
      const g = await curlWith(gcurl, `http://127.0.0.1:${originPorts[1]}/`);
      assert.equal(f.body, 'origin A');
      assert.equal(g.body, 'origin B');
      assert.ok(f.seconds >= 0.3 && f.seconds < 0.55, `fcurl through the first proxy (${f.seconds}s)`);
      assert.ok(g.seconds >= 0.6, `gcurl through the second proxy (${g.seconds}s)`);

      const refused = spawnSync(process.execPath, [FAULT_BIN, 'run', '--stealth', '--capture-process', 'fcu', '--proxy-address', '127.0.0.1:0', '--duration', '5s'],
        { encoding: 'utf8', timeout: 15_000 });
      assert.equal(refused.status, 1, refused.stdout + refused.stderr);
      assert.match(refused.stderr, new RegExp(`another fault process \\(pid ${first.child.pid}\\) already captures processes named fcurl\\*`));
    } finally {
      await second?.stop();
      await first.stop();
    }
    await waitGone();
  });

  it('captures psql: the query goes through with the latency and the right result', async (t) => {
    const pgBin = ['/usr/lib/postgresql/15/bin', '/usr/local/bin'].find((d) => fs.existsSync(path.join(d, 'initdb')));
    if (!pgBin || spawnSync('id', ['postgres']).status !== 0 || spawnSync('psql', ['--version']).status !== 0) {
      t.skip('PostgreSQL (initdb, pg_ctl, psql, user postgres) is not installed');
      return;
    }
    const data = path.join(tmp, 'pg');
    fs.mkdirSync(data);
    fs.chownSync(data, Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })));
    const port = await freePort();
    const asPostgres = (cmd: string) => execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { encoding: 'utf8', cwd: data, timeout: 60_000 });
    asPostgres(`${pgBin}/initdb -D ${data}/db -A trust -U postgres >/dev/null`);
    asPostgres(`${pgBin}/pg_ctl -D ${data}/db -l ${data}/log -w -o "-p ${port} -k ${data} -c listen_addresses=127.0.0.1" start >/dev/null`);
    const fault = await startFault(['--stealth', '--capture-process', 'psql', '--proxy-address', '127.0.0.1:0', ...LATENCY]);
    try {
      const started = Date.now();
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-Atc', 'SELECT 40+2'], { env: { PATH: process.env.PATH } });
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
        child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
        child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`psql exited ${code}: ${text}`))));
      });
      const elapsed = Date.now() - started;
      assert.equal(out.trim(), '42');
      assert.ok(elapsed >= 300, `psql saw the latency (${elapsed} ms)`);
    } finally {
      await fault.stop();
      asPostgres(`${pgBin}/pg_ctl -D ${data}/db -m immediate -w stop >/dev/null`);
    }
    await waitGone();
  });

  it('with a loopback listener captures only in its own network namespace', async (t) => {
    if (spawnSync('ip', ['-V']).status !== 0 || spawnSync('nsenter', ['--version']).status !== 0) {
      t.skip('ip (iproute2) or nsenter (util-linux) is not installed');
      return;
    }
    // fault runs in a namespace of its own (as in a container without --network host), with an
    // origin there too; fcurl on the host must go straight to the host's origin, not to a
    // 127.0.0.1 where nothing listens.
    const ns = `fault-stealth-${process.pid}`;
    execFileSync('ip', ['netns', 'add', ns]);
    const inNs = ['--net=/run/netns/' + ns];
    const children: Array<ReturnType<typeof spawn>> = [];
    try {
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      const nsOrigin = spawn('nsenter', [...inNs, process.execPath, '-e',
        "require('http').createServer((q, s) => s.end('namespace origin')).listen(" + originPorts[0] + ", '127.0.0.1')"]);
      children.push(nsOrigin);
      const fault = spawn('nsenter', [...inNs, process.execPath, FAULT_BIN, 'run', '--stealth', '--capture-process', 'fcurl', ...LATENCY], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(fault);
      let out = '';
      fault.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      fault.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
      for (let i = 0; i < 100 && !/Running (for|until)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, /only processes in this network namespace are captured/);
      const host = await curlWith(fcurl, `http://127.0.0.1:${originPorts[0]}/`);
      assert.equal(host.body, 'origin A');
      assert.ok(host.seconds < 0.25, `fcurl on the host is not captured (${host.seconds}s)`);
      const inside = await new Promise<{ body: string; seconds: number }>((resolve) => {
        const child = spawn('nsenter', [...inNs, fcurl, '-s', '--max-time', '10', '-w', '\n%{time_total}', `http://127.0.0.1:${originPorts[0]}/`]);
        let text = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
        child.once('exit', () => {
          const lines = text.split('\n');
          const seconds = Number(lines.pop());
          resolve({ body: lines.join('\n'), seconds });
        });
      });
      assert.equal(inside.body, 'namespace origin');
      assert.ok(inside.seconds >= 0.3, `fcurl in fault's namespace is captured (${inside.seconds}s)`);
    } finally {
      for (const child of children) child.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r)))));
      execFileSync('ip', ['netns', 'del', ns]);
    }
    await waitGone();
  });

  it('preflight: capabilities are checked for root too, and --cgroup-path must be cgroup v2', () => {
    const noCaps = spawnSync('setpriv', ['--bounding-set=-bpf,-sys_admin', process.execPath, FAULT_BIN, 'run', '--stealth', '--capture-process', 'fcurl'], {
      encoding: 'utf8', timeout: 20_000,
    });
    if (noCaps.error) {
      console.log(`# stealth.test: the capability case needs setpriv (util-linux): ${noCaps.error.message}`);
    } else {
      assert.equal(noCaps.status, 1);
      assert.match(noCaps.stderr, /privileges: root, but without CAP_SYS_ADMIN, CAP_BPF \(in a container: --cap-add SYS_ADMIN --cap-add BPF\)/);
    }
    const notCgroup = preflight({ processName: 'x', proxyPort: 0, cgroupPath: os.tmpdir() });
    assert.ok(notCgroup.missing.some((m) => /--cgroup-path .* is not in a cgroup2 file system/.test(m)), notCgroup.missing.join('; '));
    assert.equal(mountTypeOf(CGROUP), 'cgroup2');
    const mounts = 'proc /proc proc rw 0 0\ncgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n/dev/sda1 / ext4 rw 0 0\n';
    assert.equal(mountTypeOf('/', mounts), 'ext4');
  });

  it('reports the eBPF object it uses', () => {
    assert.ok(fs.existsSync(STEALTH_OBJECT_PATH));
  });
});
