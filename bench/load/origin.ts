// Starts the origin program as a separate node process and learns its port.
import { startChild, type ManagedChild } from './child-processes';
import { ORIGIN_SERVER_SCRIPT } from './repo-paths';

export interface Origin {
  process: ManagedChild;
  port: number;
}

/** `delayMs`: an origin that answers that long after each request (the timer floor). */
export async function startOrigin(delayMs = 0): Promise<Origin> {
  const args = delayMs > 0 ? [ORIGIN_SERVER_SCRIPT, '0', String(delayMs)] : [ORIGIN_SERVER_SCRIPT];
  const child = startChild(delayMs > 0 ? 'delayed origin server' : 'origin server', process.execPath, args);
  const match = await child.waitForStdout(/\{"port":(\d+)\}/, 10_000);
  return { process: child, port: Number(match[1]) };
}
