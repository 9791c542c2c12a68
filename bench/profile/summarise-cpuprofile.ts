// Summarises V8 .cpuprofile files (from `node --cpu-prof`, one per thread): self time per
// function, and time per category (JS of fault, node internals, GC, idle, ...), so the hotspots
// of a profile read as text without a viewer. Usage: node dist/bench/profile/summarise-cpuprofile.js <file|dir>...
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Wall time minus (idle): what the thread spent doing anything. */
  busyMs: number;
  categories: Array<{ category: string; ms: number; share: number }>;
  top: FunctionCost[];
}

const REPO_MARKERS = ['/dist/src/', '/dist/workers/', '/dist/bench/'];

function categoryOf(frame: ProfileNode['callFrame']): string {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'program (native, outside JS)';
  if (REPO_MARKERS.some((marker) => url.includes(marker))) return 'fault (own code)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  if (url.includes('/node_modules/')) return `dependency ${url.split('/node_modules/').pop()!.split('/')[0]}`;
  if (url === '') return 'native/builtin';
  return 'other';
}

export function summariseProfile(file: string, topN = 25, root = process.cwd()): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  // Sample i lasted timeDeltas[i + 1] (the delta before the next sample); the last one is dropped.
  for (let i = 0; i < profile.samples.length - 1; i++) {
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i + 1]));
  }
  const totalMicros = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const perFunction = new Map<string, { name: string; where: string; micros: number }>();
  const perCategory = new Map<string, number>();
  let idleMicros = 0;
  for (const [id, micros] of selfMicros) {
    const frame = byId.get(id)!.callFrame;
    const category = categoryOf(frame);
    perCategory.set(category, (perCategory.get(category) ?? 0) + micros);
    if (category === 'idle') {
      idleMicros += micros;
      continue;
    }
    const url = frame.url.startsWith('file://') ? relative(root, frame.url.slice(7)) : frame.url;
    const where = url ? `${url}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName}@${where}`;
    const entry = perFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, micros: 0 };
    entry.micros += micros;
    perFunction.set(key, entry);
  }
  const busyMicros = totalMicros - idleMicros;
  const share = (micros: number) => (busyMicros > 0 ? micros / busyMicros : 0);
  return {
    file,
    totalMs: totalMicros / 1000,
    busyMs: busyMicros / 1000,
    categories: [...perCategory]
      .filter(([category]) => category !== 'idle')
      .sort((a, b) => b[1] - a[1])
      .map(([category, micros]) => ({ category, ms: micros / 1000, share: share(micros) })),
    top: [...perFunction.values()]
      .sort((a, b) => b.micros - a.micros)
      .slice(0, topN)
      .map((f) => ({ name: f.name, where: f.where, selfMs: f.micros / 1000, share: share(f.micros) })),
  };
}

export function formatSummary(summary: ProfileSummary): string {
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `${basename(summary.file)}: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy (${pct(summary.totalMs > 0 ? summary.busyMs / summary.totalMs : 0)} of the thread)`,
    '  busy time by category:',
    ...summary.categories.slice(0, 12).map((c) => `    ${pct(c.share)}  ${c.ms.toFixed(0).padStart(7)} ms  ${c.category}`),
    '  top functions by self time (share of busy time):',
    ...summary.top.map((f) => `    ${pct(f.share)}  ${f.selfMs.toFixed(1).padStart(8)} ms  ${f.name}  ${f.where}`),
  ];
  return lines.join('\n');
}

function profilesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) => join(path, name));
}

if (require.main === module) {
  const files = process.argv.slice(2).flatMap(profilesUnder);
  if (files.length === 0) {
    process.stderr.write('usage: summarise-cpuprofile <file.cpuprofile|dir>...\n');
    process.exit(2);
  }
  for (const file of files) process.stdout.write(`${formatSummary(summariseProfile(file))}\n\n`);
}
