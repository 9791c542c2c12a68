// Command-line flags of the load benchmark and the settings they resolve to.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RESULTS_DIR } from './repo-paths';

/** proxies: fault next to haproxy and a direct connection; faults: the cost of each fault. */
export type Suite = 'proxies' | 'faults' | 'all';
const SUITES: readonly Suite[] = ['proxies', 'faults', 'all'];

export interface LoadBenchOptions {
  suite: Suite;
  /** Length of each measured wrk run; whole seconds because wrk's -d takes no fractions. */
  durationSeconds: number;
  /** Length of the discarded wrk run before each measurement. */
  warmupSeconds: number;
  connections: number;
  wrkThreads: number;
  /** How many times every target is measured; the summary takes the median per metric. */
  rounds: number;
  /** The injected delay of the latency targets. */
  latencyMs: number;
  quick: boolean;
  outFile: string;
}

export const USAGE = `usage: node dist/bench/load/index.js [options]

  --suite <name>      proxies (default): fault next to haproxy and a direct connection;
                      faults: throughput and CPU with each fault active vs no fault;
                      all: both, one after the other, in one record
  --duration <s>      seconds per measurement (default 8; 2 with --quick)
  --connections <n>   wrk connections (default 50)
  --rounds <n>        times each target is measured, interleaved (default 3; 2 with --quick)
  --threads <n>       wrk threads (default 1)
  --quick             CI-size run: about 1 minute for proxies, 3 for faults
  --out <file>        JSON results (default bench/results/load-<timestamp>.json)
  -h, --help          this text
`;

export class OptionsError extends Error {}

/** Parses argv (without node and script); returns undefined when help was asked for. */
export function parseOptions(argv: readonly string[], now: Date = new Date()): LoadBenchOptions | undefined {
  const { values } = parseFlags(argv);
  if (values.help) return undefined;
  const quick = values.quick ?? false;
  return {
    suite: suiteOf(values.suite),
    durationSeconds: positiveInteger('--duration', values.duration, quick ? 2 : 8),
    warmupSeconds: 1,
    connections: positiveInteger('--connections', values.connections, 50),
    wrkThreads: positiveInteger('--threads', values.threads, 1),
    rounds: positiveInteger('--rounds', values.rounds, quick ? 2 : 3),
    latencyMs: 100,
    quick,
    outFile: values.out !== undefined ? resolve(values.out) : join(DEFAULT_RESULTS_DIR, `load-${fileTimestamp(now)}.json`),
  };
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        suite: { type: 'string' },
        duration: { type: 'string' },
        connections: { type: 'string' },
        rounds: { type: 'string' },
        threads: { type: 'string' },
        quick: { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new OptionsError((error as Error).message);
  }
}

function suiteOf(text: string | undefined): Suite {
  if (text === undefined) return 'proxies';
  const suite = SUITES.find((name) => name === text);
  if (suite === undefined) throw new OptionsError(`--suite: expected one of ${SUITES.join(', ')}, got '${text}'`);
  return suite;
}

function positiveNumber(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new OptionsError(`${flag}: expected a positive number, got '${text}'`);
  return value;
}

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  const value = positiveNumber(flag, text, fallback);
  if (!Number.isInteger(value)) throw new OptionsError(`${flag}: expected a whole number, got '${text}'`);
  return value;
}

/** 2024-05-01T10:20:30Z -> 2024-05-01T10-20-30Z: no colons, so the name is valid everywhere. */
function fileTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}
