// The two container images, checked without a Docker engine: a small Dockerfile parser reads
// both files, every path COPY takes from the build context must exist (and not be excluded by
// .dockerignore), and the final stage is reproduced in a temp directory mirroring the image's
// paths, where its ENTRYPOINT runs `--version` and `run --help` as the image's user would.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

interface Instruction {
  op: string;
  args: string;
  line: number;
}
interface Stage {
  image: string;
  name?: string;
  steps: Instruction[];
}
interface Dockerfile {
  stages: Stage[];
  comments: string[];
}

/** FROM/COPY/RUN/WORKDIR/USER/ENTRYPOINT/CMD/ENV/EXPOSE, with `\` continuations and comments. */
function parseDockerfile(text: string): Dockerfile {
  const stages: Stage[] = [];
  const comments: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    const start = i + 1;
    if (/^\s*#/.test(line)) {
      comments.push(line.replace(/^\s*#\s?/, ''));
      continue;
    }
    if (line.trim() === '') continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      i++;
      if (/^\s*#/.test(lines[i])) continue; // comments inside a continuation are dropped
      line = line.replace(/\\\s*$/, ' ') + lines[i].trim();
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    assert.ok(m, `line ${start}: cannot parse '${line}'`);
    const op = m[1].toUpperCase();
    const args = m[2].trim();
    if (op === 'FROM') {
      const from = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(from, `line ${start}: bad FROM`);
      stages.push({ image: from[1], name: from[2], steps: [] });
      continue;
    }
    assert.ok(stages.length > 0, `line ${start}: ${op} before FROM`);
    stages[stages.length - 1].steps.push({ op, args, line: start });
  }
  return { stages, comments };
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function parseCopy(args: string): Copy {
  const words = args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/);
  let from: string | undefined;
  const rest: string[] = [];
  for (const w of words) {
    if (w.startsWith('--from=')) from = w.slice('--from='.length);
    else if (w.startsWith('--')) continue; // --chown and friends
    else rest.push(w);
  }
  assert.ok(rest.length >= 2, `COPY needs a source and a destination: ${args}`);
  return { from, sources: rest.slice(0, -1), dest: rest[rest.length - 1] };
}

function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  assert.ok(Array.isArray(parsed) && parsed.every((x) => typeof x === 'string'), `exec form expected: ${args}`);
  return parsed as string[];
}

/** The directory the stage is in after its WORKDIR steps up to (not including) step `upTo`. */
function workdirAt(stage: Stage, upTo: number): string {
  let dir = '/';
  for (const step of stage.steps.slice(0, upTo)) if (step.op === 'WORKDIR') dir = path.posix.resolve(dir, step.args);
  return dir;
}

function lastOf(stage: Stage, op: string): Instruction | undefined {
  return [...stage.steps].reverse().find((s) => s.op === op);
}

function dockerignore(): string[] {
  return fs
    .readFileSync(path.join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function ignored(rel: string, patterns: string[]): boolean {
  const first = rel.split('/')[0];
  return patterns.some((p) => {
    const re = new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
    return re.test(rel) || re.test(first);
  });
}

const COMPILERS = /\b(build-essential|gcc|g\+\+|clang|llvm|make|python3|libbpf-dev)\b/;

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** Lays out what the final stage copies from the build stage (whose files are this built repo). */
function mirrorFinalStage(file: Dockerfile): { root: string; final: Stage } {
  const final = file.stages[file.stages.length - 1];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fault-image-'));
  tempDirs.push(root);
  fs.chmodSync(root, 0o755);
  final.steps.forEach((step, index) => {
    if (step.op !== 'COPY') return;
    const copy = parseCopy(step.args);
    assert.ok(copy.from, `final stage line ${step.line}: copies from the build context, expected --from=<build stage>`);
    const source = file.stages.find((s) => s.name === copy.from);
    assert.ok(source, `COPY --from=${copy.from}: no such stage`);
    const sourceWorkdir = workdirAt(source, source.steps.length);
    const dest = path.posix.resolve(workdirAt(final, index), copy.dest);
    for (const src of copy.sources) {
      const inStage = path.posix.resolve(sourceWorkdir, src);
      const rel = path.posix.relative(sourceWorkdir, inStage);
      assert.ok(!rel.startsWith('..'), `${src} is outside the build stage's WORKDIR ${sourceWorkdir}`);
      const onDisk = path.join(ROOT, rel);
      assert.ok(fs.existsSync(onDisk), `the build stage would not have ${inStage} (no ${rel} after a build)`);
      const target = path.join(root, dest);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // Hard links keep node_modules cheap; a plain copy where the file system refuses them.
      const linked = spawnSync('cp', ['-a', '--link', onDisk, target]);
      if (linked.status !== 0) fs.cpSync(onDisk, target, { recursive: true });
    }
  });
  return { root, final };
}

function runEntrypoint(root: string, final: Stage, args: string[]): { status: number | null; out: string } {
  const entry = execForm(lastOf(final, 'ENTRYPOINT')!.args).map((word, i) =>
    i === 0 && word === 'node' ? process.execPath : word.startsWith('/') ? path.join(root, word) : word,
  );
  const cwd = path.join(root, workdirAt(final, final.steps.length));
  fs.mkdirSync(cwd, { recursive: true });
  fs.chmodSync(cwd, 0o777);
  const user = lastOf(final, 'USER')?.args ?? 'root';
  const asUser = user !== 'root' && user !== '0' && process.getuid?.() === 0;
  // The image's user (node, uid 1000) does not exist here: nobody stands in for it.
  const command = asUser ? ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', ...entry] : entry;
  const res = spawnSync(command[0], [...command.slice(1), ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, NODE_ENV: 'production' },
    timeout: 30_000,
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

for (const name of ['Dockerfile', 'Dockerfile.stealth']) {
  describe(name, () => {
    const file = parseDockerfile(fs.readFileSync(path.join(ROOT, name), 'utf8'));
    const final = file.stages[file.stages.length - 1];
    const stealth = name.endsWith('.stealth');

    it('is multi-stage, builds with node:20 and ends on a small runtime without compilers', () => {
      assert.ok(file.stages.length >= 2);
      const build = file.stages[0];
      assert.match(build.image, /^node:20/);
      assert.ok(build.name, 'the build stage is named');
      assert.ok(build.steps.some((s) => s.op === 'RUN' && /build-essential/.test(s.args) && /python3/.test(s.args)));
      if (stealth) assert.ok(build.steps.some((s) => s.op === 'RUN' && /clang/.test(s.args) && /libbpf-dev/.test(s.args)));
      assert.match(final.image, /^(node:20[-.\w]*slim|gcr\.io\/distroless\/)/);
      for (const step of final.steps.filter((s) => s.op === 'RUN')) {
        assert.doesNotMatch(step.args, COMPILERS, `line ${step.line} installs a compiler in the final image`);
      }
      if (stealth) assert.ok(final.steps.some((s) => s.op === 'RUN' && /\blibbpf1\b/.test(s.args)), 'libbpf1 at run time');
      assert.deepEqual(execForm(lastOf(final, 'ENTRYPOINT')!.args).slice(-1), ['/app/bin/fault.js']);
      assert.ok(final.steps.some((s) => s.op === 'EXPOSE' && s.args.split(/\s+/).includes('3180')));
      if (stealth) assert.match(file.comments.join('\n'), /--network=host/, 'tells that the host network namespace is needed');
      else assert.match(file.comments.join('\n'), /0\.0\.0\.0:3180/, 'tells that 0.0.0.0 must be given explicitly');
    });

    it(stealth ? 'runs as root and says it is published under versioned tags only' : 'runs as a non-root user', () => {
      const user = lastOf(final, 'USER')?.args;
      if (stealth) {
        assert.equal(user, 'root');
        assert.match(file.comments.join('\n'), /versioned tags only/);
        assert.match(file.comments.join('\n'), /latest/);
      } else {
        assert.ok(user && user !== 'root' && user !== '0', `USER ${user}`);
      }
    });

    it('copies only paths that exist in the build context and are not dockerignored', () => {
      const patterns = dockerignore();
      for (const stage of file.stages) {
        for (const step of stage.steps.filter((s) => s.op === 'COPY')) {
          const copy = parseCopy(step.args);
          if (copy.from) continue;
          for (const src of copy.sources) {
            const rel = path.posix.normalize(src).replace(/\/$/, '');
            assert.ok(fs.existsSync(path.join(ROOT, rel)), `line ${step.line}: ${src} is not in the build context`);
            assert.ok(!ignored(rel, patterns), `line ${step.line}: ${src} is excluded by .dockerignore`);
          }
        }
      }
    });

    const missingStealth = ['build/Release/fault_stealth.node', 'build/bpf/fault_stealth.bpf.o'].filter((p) => !fs.existsSync(path.join(ROOT, p)));
    const skip = stealth && missingStealth.length > 0 ? `the stealth build outputs are missing (${missingStealth.join(', ')}: clang/libbpf-dev not installed?)` : false;
    if (skip) console.log(`# dockerfiles.test: skipping the ${name} entrypoint run: ${skip}`);
    it("runs its entrypoint from the image's layout: --version and run --help", { skip }, () => {
      const { root, final: last } = mirrorFinalStage(file);
      const v = runEntrypoint(root, last, ['--version']);
      assert.equal(v.status, 0, v.out);
      assert.match(v.out, new RegExp(version.replace(/\./g, '\\.')));
      const help = runEntrypoint(root, last, ['run', '--help']);
      assert.equal(help.status, 0, help.out);
      assert.match(help.out, /--proxy-address/);
      assert.match(help.out, /--stealth/);
      assert.match(help.out, /--capture-process/);
    });
  });
}
