// Starts the origin program as a separate node process and learns its port.
import { startChild, type ManagedChild } from './child-processes';
import { ORIGIN_SERVER_SCRIPT } from './repo-paths';

export interface Origin {
  process: ManagedChild;
  port: number;
}

export async function startOrigin(): Promise<Origin> {
  const child = startChild('origin server', process.execPath, [ORIGIN_SERVER_SCRIPT]);
  const match = await child.waitForStdout(/\{"port":(\d+)\}/, 10_000);
  return { process: child, port: Number(match[1]) };
}
