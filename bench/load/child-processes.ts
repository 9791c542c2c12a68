// Every process the harness starts goes through here, so that each way out (normal end, error,
// Ctrl-C) can stop all of them and leave no orphans behind.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Keeps only the end of a chatty stream: enough for an error message, bounded in memory. */
const OUTPUT_LIMIT = 64 * 1024;

export class ManagedChild {
  private stdoutText = '';
  private stderrText = '';
  private status: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (this.stdoutText = keepTail(this.stdoutText + chunk)));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderrText = keepTail(this.stderrText + chunk)));
    this.exited = new Promise((resolve, reject) => {
      child.once('error', reject);
      // 'close' (not 'exit') so that all output has been read when the promise resolves.
      child.once('close', (code, signal) => {
        this.status = { code, signal };
        liveChildren.delete(this);
        resolve(this.status);
      });
    });
    // A spawn failure (e.g. wrk not installed) surfaces through whoever awaits `exited`.
    this.exited.catch(() => liveChildren.delete(this));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} has no pid: it failed to start`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.status === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  stdout(): string {
    return this.stdoutText;
  }

  stderr(): string {
    return this.stderrText;
  }

  /** Resolves with the first match of `pattern` in stdout; rejects if the child exits first. */
  waitForStdout(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.stdoutText);
        if (match) finish(() => resolve(match));
      };
      const onExit = (): void => finish(() => reject(new Error(this.describeExit())));
      const timer = setTimeout(() => finish(() => reject(new Error(`${this.name} printed nothing matching ${pattern} in ${timeoutMs} ms`))), timeoutMs);
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.off('close', onExit);
        settle();
      };
      this.child.stdout?.on('data', check);
      this.child.once('close', onExit);
      check();
    });
  }

  /** SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
  async stop(graceMs = 5000): Promise<ExitStatus> {
    if (!this.running) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.killNow(), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  /** "exited with code 1" / "was killed by SIGKILL", plus the end of stderr, for error messages. */
  describeExit(): string {
    const how = this.status?.signal ? `was killed by ${this.status.signal}` : `exited with code ${this.status?.code}`;
    const stderr = this.stderrText.trim();
    return `${this.name} ${how}${stderr ? `:\n${stderr.slice(-2000)}` : ''}`;
  }
}

const liveChildren = new Set<ManagedChild>();

export function startChild(name: string, command: string, args: readonly string[], env?: NodeJS.ProcessEnv): ManagedChild {
  // Through setpriv (when present) the kernel also kills the child if the harness dies by
  // SIGKILL, which no handler can catch. setpriv execs the command, so the pid stays the same.
  const [file, fileArgs] = hasSetpriv() ? ['setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, [...args]];
  const child = spawn(file, fileArgs, { env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
  const managed = new ManagedChild(name, child);
  liveChildren.add(managed);
  return managed;
}

/** Stops every child still running, each with SIGTERM first. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...liveChildren].map((child) => child.stop(3000).catch(() => undefined)));
}

/** For process 'exit', where nothing asynchronous can run any more: SIGKILL whatever is left. */
export function killAllChildrenNow(): void {
  for (const child of liveChildren) child.killNow();
}

let setprivAvailable: boolean | undefined;

function hasSetpriv(): boolean {
  setprivAvailable ??= spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0;
  return setprivAvailable;
}

function keepTail(text: string): string {
  return text.length > OUTPUT_LIMIT ? text.slice(-OUTPUT_LIMIT) : text;
}
