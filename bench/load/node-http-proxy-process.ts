// Starts the node:http reference forward proxy (node-http-proxy.ts) as its own process.
import { startChild, type ManagedChild } from './child-processes';
import { NODE_HTTP_PROXY_SCRIPT } from './repo-paths';

export interface NodeHttpProxy {
  process: ManagedChild;
  port: number;
}

export async function startNodeHttpProxy(): Promise<NodeHttpProxy> {
  const child = startChild('node:http forward proxy', process.execPath, [NODE_HTTP_PROXY_SCRIPT]);
  try {
    const match = await child.waitForStdout(/\{"port":(\d+)\}/, 10_000);
    return { process: child, port: Number(match[1]) };
  } catch (error) {
    await child.stop();
    throw error;
  }
}
