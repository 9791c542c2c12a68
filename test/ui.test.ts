// What `fault run` shows: the live frame as a pure function of its state (widths, alignment of
// the progress bar and schedule lanes), the terminal mechanics, --tail lines for real traffic,
// plain status lines when stdout is not a terminal, and a real pty run under `script`.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import { describe, it } from 'node:test';
import type { ExchangeRecord } from '../src/stats/exchange-record';
import type { Percentiles } from '../src/stats/histogram';
import { ansi, colour, fitWidth, stripAnsi, visibleWidth } from '../src/ui/ansi';
import { formatTimeOfDay } from '../src/ui/format';
import { renderLiveFrame } from '../src/ui/live-frame';
import type { LiveState } from '../src/ui/live-state';
import { flowRow } from '../src/ui/row-layout';
import { statusLine } from '../src/ui/status-line';
import { tailLine } from '../src/ui/tail-line';
import { TerminalScreen } from '../src/ui/terminal-screen';
import { FAULT_BIN, startFault } from './support/fault-process';
import { closedPort, startHttpOrigin } from './support/servers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ESCAPE = /\x1b\[/;

function percentiles(p50Ms: number, count: number): Percentiles {
  return { count, minMs: p50Ms / 2, meanMs: p50Ms, p50Ms, p90Ms: p50Ms * 1.5, p99Ms: p50Ms * 3, p999Ms: p50Ms * 4, maxMs: p50Ms * 5 };
}

function liveState(overrides: Partial<LiveState> = {}): LiveState {
  return {
    elapsedMs: 12_000,
    durationMs: 30_000,
    shards: 2,
    seed: 7,
    usageHint: 'try: curl -x http://127.0.0.1:3180 http://…',
    exchangesPerSecond: 123.4,
    connectionsPerSecond: 45,
    openConnections: 12,
    counters: {
      connectionsAccepted: 600, connectionsClosed: 588, exchanges: 4567, faulted: 4000, passthrough: 500, errors: 67,
      bytesToUpstream: 1000, bytesToClient: 2000,
    },
    endToEnd: percentiles(12.3, 4567),
    injected: percentiles(300, 4000),
    faults: [
      { kind: 'latency', active: true, windows: [{ startMs: 6000, endMs: 15_000 }], exchanges: 3900, applications: 3900 },
      { kind: 'packet-loss', active: false, windows: [{ startMs: 20_000 }], exchanges: 0, applications: 0 },
      { kind: 'bandwidth', active: true, windows: [], exchanges: 4000, applications: 12_345 },
    ],
    shardLoad: [
      { id: 0, exchangesPerSecond: 30, open: 6 },
      { id: 1, exchangesPerSecond: 63.4, open: 6 },
    ],
    ...overrides,
  };
}

/** The timeline rows (progress and lanes) of a rendered frame, without colours. */
function timelineRows(lines: string[]): string[] {
  return lines.map(stripAnsi).filter((l) => l.includes('▕'));
}

/** The cells between the edges of a timeline row. */
function cellsOf(row: string): string {
  return row.slice(row.indexOf('▕') + 1, row.lastIndexOf('▏'));
}

describe('live frame rendering', () => {
  for (const width of [60, 100, 160]) {
    it(`fits ${width} columns, with the progress bar and schedule lanes aligned`, () => {
      const plain = renderLiveFrame(liveState(), width);
      const coloured = renderLiveFrame(liveState(), width, { paint: colour });
      for (const line of [...plain, ...coloured]) {
        assert.ok(visibleWidth(line) <= width, `${visibleWidth(line)} > ${width}: ${JSON.stringify(stripAnsi(line))}`);
      }
      // Colours change nothing in the layout.
      assert.deepEqual(coloured.map(stripAnsi), plain);
      assert.ok(!plain.some((l) => ESCAPE.test(l)), 'no escape codes without paint');

      const rows = timelineRows(plain);
      assert.equal(rows.length, 3, 'progress + a lane for each scheduled fault (bandwidth is not scheduled)');
      assert.match(rows[0], /^ progress /);
      assert.match(rows[1], /● latency/);
      assert.match(rows[2], /○ packet-loss/);
      const starts = rows.map((r) => r.indexOf('▕'));
      const ends = rows.map((r) => r.lastIndexOf('▏'));
      assert.ok(starts.every((s) => s === starts[0]), `bars start in one column: ${starts}`);
      assert.ok(ends.every((e) => e === ends[0]), `bars end in one column: ${ends}`);

      const cells = cellsOf(rows[0]).length;
      assert.ok(cells >= 8);
      // 12 s of 30 s: 40 % of the cells are full.
      const full = [...cellsOf(rows[0])].filter((c) => c === '█').length;
      assert.equal(full, Math.floor((12 * cells) / 30));
      assert.match(rows[0], /00:12\/00:30\s+40%$/);

      // latency is on from 6 s to 15 s: those cells, lived up to 12 s, ahead after.
      const latency = [...cellsOf(rows[1])];
      const first = latency.findIndex((c) => c !== '·');
      const last = latency.length - 1 - [...latency].reverse().findIndex((c) => c !== '·');
      // Cell i covers [i, i+1) × span/cells: integer arithmetic for the expected edges.
      assert.equal(first, Math.floor((6 * cells) / 30));
      assert.equal(last, Math.ceil((15 * cells) / 30) - 1);
      assert.ok(latency.slice(first, Math.floor((12 * cells) / 30)).every((c) => c === '█'), latency.join(''));
      assert.ok(latency.slice(Math.ceil((12 * cells) / 30), last + 1).every((c) => c === '▒'), latency.join(''));
      // packet-loss from 20 s to the end, all still ahead.
      const loss = [...cellsOf(rows[2])];
      assert.equal(loss.indexOf('▒'), Math.floor((20 * cells) / 30));
      assert.equal(loss[loss.length - 1], '▒');
    });
  }

  it('shows rates, totals, latency percentiles, faults and shard load', () => {
    const text = renderLiveFrame(liveState(), 160).join('\n');
    assert.match(text, /fault {2}● running {2}00:12 \/ 00:30 {2}2 shards · seed 7/);
    assert.match(text, /traffic +123 req\/s · 45\.0 conn\/s · 12 open/);
    assert.match(text, /exchanges +4,567 total · faulted 4,000 · passthrough 500 · errors 67/);
    assert.match(text, /latency +p50 12\.30 ms · p90 18\.45 ms · p99 36\.90 ms · p99\.9 49\.20 ms · max 61\.50 ms · n=4,567/);
    assert.match(text, /injected +p50 300 ms/);
    assert.match(text, /faults +● latency 3,900 exch · ○ packet-loss 0 exch · ● bandwidth 4,000 exch \(12,345×\)/);
    assert.match(text, /shards +#0 ███░░░ 30\.0\/s 6 open · #1 ██████ 63\.4\/s 6 open/);
  });

  it('says it is waiting, and how to send traffic, before any arrives', () => {
    const idle = liveState({
      counters: { ...liveState().counters, exchanges: 0, connectionsAccepted: 0, connectionsClosed: 0 },
      openConnections: 0,
      endToEnd: percentiles(0, 0),
    });
    const text = renderLiveFrame(idle, 100).join('\n');
    assert.match(text, /traffic +waiting for traffic · try: curl -x http:\/\/127\.0\.0\.1:3180/);
    assert.match(text, /latency +none yet/);
  });

  it('has no timeline without --duration or schedules, and one spanning the schedule without --duration', () => {
    const unscheduled = liveState({ durationMs: undefined, faults: [liveState().faults[2]] });
    const lines = renderLiveFrame(unscheduled, 100);
    assert.equal(timelineRows(lines).length, 0);
    assert.match(lines[0], /00:12 elapsed/);
    const scheduled = timelineRows(renderLiveFrame(liveState({ durationMs: undefined }), 100));
    assert.equal(scheduled.length, 3);
    assert.match(scheduled[0], /^ schedule /);
  });

  it('wraps long rows under their label and caps them', () => {
    const shardLoad = Array.from({ length: 64 }, (_, id) => ({ id, exchangesPerSecond: id, open: 1 }));
    const lines = renderLiveFrame(liveState({ shards: 64, shardLoad }), 60);
    const shardRows = lines.slice(lines.findIndex((l) => l.startsWith(' shards')));
    assert.equal(shardRows.length, 3);
    assert.match(shardRows[2], /… \+\d+ more$/);
    assert.ok(shardRows.every((l) => l.length <= 60));
    assert.ok(shardRows.slice(1).every((l) => l.startsWith(' '.repeat(12))), 'continuation lines are indented');
  });

  it('keeps within the terminal height', () => {
    assert.equal(renderLiveFrame(liveState(), 100, { maxLines: 5 }).length, 5);
  });

  it('shows the run stopping', () => {
    assert.match(renderLiveFrame(liveState({ stopping: 'SIGINT' }), 100)[0], /■ stopping \(SIGINT\), draining/);
  });
});

describe('text helpers', () => {
  it('fitWidth cuts by visible columns and keeps colours closed', () => {
    assert.equal(fitWidth('abcdef', 4), 'abc…');
    assert.equal(fitWidth('abc', 4), 'abc');
    const cut = fitWidth(colour('abcdef', 'red'), 4);
    assert.equal(stripAnsi(cut), 'abc…');
    assert.ok(cut.endsWith(ansi.reset));
  });

  it('flowRow wraps items and never exceeds the width', () => {
    const lines = flowRow(' label', ['aaaa', 'bbbb', 'cccc', 'dddd'], { labelWidth: 7, width: 20 });
    assert.deepEqual(lines, [' label  aaaa · bbbb', '        cccc · dddd']);
  });

  it('a plain status line has a fixed shape', () => {
    const line = statusLine({
      elapsedMs: 5000,
      durationMs: 6000,
      exchangesPerSecond: 12.34,
      openConnections: 3,
      counters: liveState().counters,
      period: percentiles(2, 10),
    });
    assert.equal(line, '[00:05/00:06]  12.3 req/s  3 open  faulted 4000, passthrough 500, errors 67  p50 2.00 ms, p99 6.00 ms');
  });

  it('a tail line has every field, and shortens long targets on a terminal', () => {
    const record: ExchangeRecord = {
      startedAt: Date.UTC(2025, 0, 1, 12, 0, 0, 5), durationMs: 301.5, shardId: 0, protocol: 'http', method: 'GET',
      target: 'http://example.test/users', status: 200, bytesToUpstream: 81, bytesToClient: 1200,
      passthrough: false, faults: ['latency', 'bandwidth'], injectedMs: 300,
    };
    const time = formatTimeOfDay(record.startedAt);
    assert.equal(tailLine(record), `${time}  GET http://example.test/users  200  302 ms  ↑81 B ↓1.2 KB  latency+bandwidth`);
    assert.equal(
      tailLine({ ...record, faults: [], status: 0, error: 'reset by peer' }),
      `${time}  GET http://example.test/users  -  302 ms  ↑81 B ↓1.2 KB  no fault  error: reset by peer`,
    );
    const long = { ...record, target: `http://example.test/${'x'.repeat(200)}` };
    const cut = tailLine(long, { width: 100, paint: colour });
    assert.ok(visibleWidth(cut) <= 100, stripAnsi(cut));
    assert.match(stripAnsi(cut), /GET http:\/\/example\.te\S*…x+ {2}200 {2}302 ms/);
  });
});

/** A stand-in for a terminal stream that records what is written. */
function fakeTerminal(): NodeJS.WriteStream & { written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY: true,
    columns: 80,
    rows: 24,
    fd: -1,
    written,
    write(chunk: string) {
      written.push(String(chunk));
      return true;
    },
  };
  return stream as unknown as NodeJS.WriteStream & { written: string[] };
}

describe('terminal screen', () => {
  it('redraws over the previous frame in one write and restores the cursor and writes at the end', async () => {
    const out = fakeTerminal();
    const err = fakeTerminal();
    const originalErrWrite = err.write;
    const screen = new TerminalScreen(out, [err]);
    const exitListeners = process.listenerCount('exit');
    screen.begin();
    assert.equal(out.written[0], ansi.hideCursor);
    assert.equal(process.listenerCount('exit'), exitListeners + 1, 'the cursor is restored even on process.exit');
    screen.draw(['one', 'two', 'three']);
    screen.draw(['one', 'two']);
    const redraw = out.written[out.written.length - 1];
    assert.ok(redraw.startsWith(`\r${ansi.cursorUp(3)}`), JSON.stringify(redraw));
    assert.equal(redraw, `\r\x1b[3Aone\x1b[K\ntwo\x1b[K\n\x1b[J`);

    // Someone else writes to stderr: the frame makes room, then comes back below the text.
    err.write('warning: something\n');
    assert.equal(out.written[out.written.length - 1], `\r\x1b[2A\x1b[J`);
    assert.deepEqual(err.written, ['warning: something\n']);
    await new Promise((r) => setImmediate(r));
    assert.equal(out.written[out.written.length - 1], `\r${ansi.cursorUp(0)}one\x1b[K\ntwo\x1b[K\n\x1b[J`);

    screen.close('summary\n');
    const last = out.written[out.written.length - 1];
    assert.equal(last, `\r\x1b[2A\x1b[Jsummary\n${ansi.showCursor}`);
    assert.equal(err.write, originalErrWrite, 'stderr is given back');
    assert.equal(process.listenerCount('exit'), exitListeners);
  });
});

/** One request through the forward proxy; resolves with the status. */
function viaProxy(proxyPort: number, method: string, url: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method, path: url, agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A CONNECT tunnel to `port`, one HTTP request through it, then close. */
function throughTunnel(proxyPort: number, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    let received = '';
    let open = false;
    socket.setEncoding('latin1');
    socket.on('error', reject);
    socket.on('data', (d: string) => {
      received += d;
      if (!open && received.includes('\r\n\r\n')) {
        open = true;
        received = '';
        socket.write(`GET /tunnel HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      }
    });
    socket.on('close', () => resolve(received));
    socket.write(`CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  });
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const TAIL_LINE =
  /^(\d\d:\d\d:\d\d\.\d{3}) {2}(\S+) (\S+) {2}(\d{3}|-) {2}([\d.]+ (?:ms|s)) {2}↑(\d+(?:\.\d)? [KMGT]?B) ↓(\d+(?:\.\d)? [KMGT]?B) {2}(\S+)(?: {2}error: (.*))?$/;

describe('--tail', () => {
  it('prints one line per exchange: GET, POST 404, unreachable upstream, CONNECT tunnel, TCP mapping', async () => {
    const origin = await startHttpOrigin((req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404).end('no such thing');
        return;
      }
      req.resume();
      req.on('end', () => res.end('hello, world'));
    });
    const closed = await closedPort();
    const fault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '1', '--tail',
      '--with-latency', '--latency-mean', '20', '--latency-stddev', '0',
      '--upstream', `127.0.0.1:${origin.port}`,
      '--proxy', `127.0.0.1:0=127.0.0.1:${origin.port}`,
    ]);
    try {
      const proxy = fault.proxyPort!;
      assert.equal(await viaProxy(proxy, 'GET', `http://127.0.0.1:${origin.port}/hello`), 200);
      assert.equal(await viaProxy(proxy, 'POST', `http://127.0.0.1:${origin.port}/missing`, 'payload'), 404);
      assert.equal(await viaProxy(proxy, 'GET', `http://127.0.0.1:${closed}/down`), 502);
      assert.match(await throughTunnel(proxy, origin.port), /hello, world/);
      await new Promise<void>((resolve, reject) =>
        http.get({ host: '127.0.0.1', port: fault.mappingPorts[0], path: '/mapped', agent: false }, (res) => {
          res.resume();
          res.on('end', resolve);
        }).on('error', reject),
      );
      const tailLines = () => fault.stdout().split('\n').filter((l) => TAIL_LINE.test(l));
      await waitFor(() => tailLines().length >= 5, 5000, 'five tail lines');
      const { code, stdout } = await fault.stop();
      assert.equal(code, 0);
      assert.ok(!ESCAPE.test(stdout), 'no colours when stdout is not a terminal');

      const fields = tailLines().map((l) => {
        const m = TAIL_LINE.exec(l)!;
        return { line: l, time: m[1], method: m[2], target: m[3], status: m[4], duration: m[5], up: m[6], down: m[7], faults: m[8], error: m[9] };
      });
      assert.equal(fields.length, 5, fields.map((f) => f.line).join('\n'));
      const [get, post, down, tunnel, mapped] = fields;

      assert.deepEqual([get.method, get.target, get.status, get.faults, get.error], ['GET', `http://127.0.0.1:${origin.port}/hello`, '200', 'latency', undefined]);
      assert.equal(get.down, '12 B');
      assert.ok(parseFloat(get.duration) >= 20, get.line);

      assert.deepEqual([post.method, post.target, post.status, post.faults], ['POST', `http://127.0.0.1:${origin.port}/missing`, '404', 'latency']);
      assert.equal(post.up, '7 B');
      assert.equal(post.down, '13 B');

      assert.deepEqual([down.method, down.target, down.status, down.faults], ['GET', `http://127.0.0.1:${closed}/down`, '502', 'passthrough']);
      assert.match(down.error ?? '', new RegExp(`127\\.0\\.0\\.1:${closed}.*refused`));

      assert.deepEqual([tunnel.method, tunnel.target, tunnel.faults], ['CONNECT', `127.0.0.1:${origin.port}`, 'latency']);
      assert.match(tunnel.status, /^(200|-)$/);
      assert.notEqual(tunnel.down, '0 B');

      assert.deepEqual([mapped.method, mapped.status, mapped.faults], ['TCP', '-', 'latency']);
      assert.match(mapped.target, new RegExp(`:${origin.port}$`));
      assert.notEqual(mapped.up, '0 B');

      // Times are wall-clock starts, in order for these sequential exchanges.
      const times = fields.map((f) => f.time);
      assert.deepEqual([...times].sort(), times);
      assert.match(stdout, /Exchanges\s+5 \(faulted 4, passthrough 1, errors 1\)/);
    } finally {
      await fault.stop();
      await origin.close();
    }
  });
});

describe('output when stdout is not a terminal', () => {
  it('prints periodic status lines and never an escape code', async () => {
    const origin = await startHttpOrigin((_req, res) => res.end('ok'));
    const fault = await startFault([
      '--proxy-address', '127.0.0.1:0', '--workers', '2', '--duration', '6s',
      '--with-latency', '--latency-mean', '5', '--latency-sched', 'start:1s,duration:2s',
      '--upstream', '*',
    ]);
    const exited = new Promise<number | null>((resolve) => fault.child.once('exit', resolve));
    try {
      const until = Date.now() + 5500;
      while (Date.now() < until && fault.child.exitCode === null) {
        await viaProxy(fault.proxyPort!, 'GET', `http://127.0.0.1:${origin.port}/`).catch(() => 0);
        await sleep(100);
      }
      assert.equal(await exited, 0);
      const stdout = fault.stdout();
      assert.ok(!ESCAPE.test(stdout), `escape code in:\n${stdout}`);
      const status = /^\[00:0[45]\/00:06\] {2}[\d.]+ req\/s {2}\d+ open {2}faulted \d+, passthrough \d+, errors \d+ {2}p50 [\d.]+ ms, p99 [\d.]+ ms$/m;
      assert.match(stdout, status);
      // Schedule changes get a line each (their exact second depends on timers on a busy machine).
      assert.match(stdout, /^\[00:0\d\/00:06\] {2}schedule: latency on$/m);
      for (const line of stdout.split('\n').filter((l) => l.includes('schedule:'))) {
        assert.match(line, /^\[00:0\d\/00:06\] {2}schedule: latency (on|off)$/);
      }
      assert.match(stdout, /Stopped \(duration elapsed\)/);
    } finally {
      await fault.stop();
      await origin.close();
    }
  });
});

const hasScript = spawnSync('script', ['--version']).status === 0;

/**
 * Runs `fault run ARGS` in a pseudo-terminal (util-linux `script`), sized with stty first.
 * `during` gets the script process, to type into the terminal (Ctrl-C is `\x03`).
 */
async function runInPty(
  shellCommand: string,
  during?: (pty: ReturnType<typeof spawn>, output: () => string) => Promise<void>,
): Promise<{ code: number | null; output: string }> {
  const child = spawn('script', ['-qfec', shellCommand, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: '' } });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await during?.(child, () => output);
  const code = await exited;
  clearTimeout(killer);
  return { code, output };
}

const faultCommand = (args: string) => `${JSON.stringify(process.execPath)} ${JSON.stringify(FAULT_BIN)} run ${args}`;

/** Lines of the live frame (the prelude's are indented by two spaces, the summary's too). */
const FRAME_LINE = /^ (fault|progress|traffic|exchanges|latency|injected|faults|shards|[●○] \S+) /;

function escapesIn(text: string): string[] {
  return text.match(/\x1b\[[0-9;?]*[A-Za-z]/g) ?? [];
}

describe('in a real terminal', { skip: hasScript ? false : 'util-linux script is not installed' }, () => {
  it('redraws with cursor-up sequences and ends with the cursor shown again', async () => {
    const { code, output } = await runInPty(
      `stty cols 100 rows 40; ${faultCommand("--proxy-address 127.0.0.1:0 --workers 1 --duration 3s --with-latency --latency-mean 10 --latency-sched 'start:1s,duration:1s'")}`,
    );
    assert.equal(code, 0, output);
    assert.ok(output.includes(ansi.hideCursor), 'the cursor is hidden while live');
    assert.ok(/\x1b\[\d+A/.test(output), 'frames are redrawn in place');
    assert.match(stripAnsi(output), /progress +▕/);
    assert.match(stripAnsi(output), /Stopped \(duration elapsed\)/);
    assert.equal(escapesIn(output).at(-1), ansi.showCursor, 'the last escape sequence shows the cursor');
    // Every frame line fits the 100 columns (the prelude's text may wrap; the frame never does).
    const frameLines = stripAnsi(output).split(/\r?\n/).filter((l) => FRAME_LINE.test(l));
    assert.ok(frameLines.length >= 8);
    for (const line of frameLines) assert.ok(visibleWidth(line) < 100, line);
  });

  it('restores the cursor on Ctrl-C, and on a second Ctrl-C that exits at once', async () => {
    const holder = net.createServer(() => undefined);
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const holderPort = (holder.address() as net.AddressInfo).port;
    let mappingSocket: net.Socket | undefined;
    try {
      const once = await runInPty(`stty cols 100 rows 40; ${faultCommand('--proxy-address 127.0.0.1:0 --workers 1')}`, async (pty, output) => {
        await waitFor(() => /Running until/.test(output()), 10_000, 'the prelude');
        await sleep(1200);
        pty.stdin!.write('\x03');
      });
      assert.match(stripAnsi(once.output), /Stopped \(SIGINT\)/);
      assert.equal(escapesIn(once.output).at(-1), ansi.showCursor);

      // An open connection keeps the drain busy; the second Ctrl-C exits without waiting.
      const twice = await runInPty(
        `stty cols 100 rows 40; ${faultCommand(`--proxy-address 127.0.0.1:0 --workers 1 --drain-timeout 10s --proxy 127.0.0.1:0=127.0.0.1:${holderPort}`)}`,
        async (pty, output) => {
          await waitFor(() => /TCP mapping\s+\S+:\d+ =>/.test(stripAnsi(output())), 10_000, 'the prelude');
          const port = Number(/TCP mapping\s+\S+:(\d+) =>/.exec(stripAnsi(output()))![1]);
          mappingSocket = net.connect(port, '127.0.0.1');
          mappingSocket.on('error', () => undefined);
          await sleep(1200);
          pty.stdin!.write('\x03');
          // fault takes a second signal within 1 s for the same Ctrl-C delivered twice.
          await sleep(1300);
          pty.stdin!.write('\x03');
        },
      );
      assert.match(stripAnsi(twice.output), /SIGINT again/);
      assert.equal(escapesIn(twice.output).at(-1), ansi.showCursor);
    } finally {
      mappingSocket?.destroy();
      holder.close();
    }
  });

  it('lays the screen out again when the terminal is resized', async () => {
    const { code, output } = await runInPty(
      `stty cols 120 rows 40; ${faultCommand('--proxy-address 127.0.0.1:0 --workers 1 --duration 3s')} & sleep 1.5; stty cols 60; wait`,
    );
    assert.equal(code, 0, output);
    const afterResize = output.slice(output.lastIndexOf(ansi.clearScreen));
    assert.ok(output.includes(ansi.clearScreen), 'repainted after the resize');
    const frameLines = stripAnsi(afterResize).split(/\r?\n/).filter((l) => FRAME_LINE.test(l));
    assert.ok(frameLines.length >= 5, stripAnsi(afterResize));
    for (const line of frameLines) assert.ok(visibleWidth(line) <= 60, line);
  });
});
