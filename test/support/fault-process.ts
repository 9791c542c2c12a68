// Starts the real `fault` CLI as a child process and learns where it listens from its prelude.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const FAULT_BIN = join(__dirname, '..', '..', '..', 'bin', 'fault.js');

export interface FaultProcess {
  child: ChildProcess;
  /** Port of the HTTP proxy, if it runs. */
  proxyPort?: number;
  /** Listening ports of the --proxy mappings, in order. */
  mappingPorts: number[];
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then wait for exit; resolves with the exit code and full output. */
  stop(): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the prelude. */
  timeoutMs?: number;
}

export function startFault(runArgs: string[], options: StartOptions = {}): Promise<FaultProcess> {
  const child = spawn(process.execPath, [FAULT_BIN, 'run', ...runArgs], {
    env: { ...process.env, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const handle: FaultProcess = {
    child,
    mappingPorts: [],
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      return { code, stdout: out, stderr: err };
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`fault did not start in time.\nstdout:\n${out}\nstderr:\n${err}`));
    }, options.timeoutMs ?? 15_000);
    const check = () => {
      if (!/Running (for|until)/.test(out)) return;
      clearTimeout(timer);
      const proxy = /HTTP proxy\s+http:\/\/\S+:(\d+)/.exec(out);
      if (proxy) handle.proxyPort = Number(proxy[1]);
      for (const m of out.matchAll(/(?:TCP mapping|HTTP service)\s+\S+:(\d+) =>/g)) handle.mappingPorts.push(Number(m[1]));
      resolve(handle);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fault exited early with ${code}.\nstdout:\n${out}\nstderr:\n${err}`));
    });
  });
}
