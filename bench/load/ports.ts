// Free ports to hand to children, and waiting until a child's port accepts connections.
import { createConnection, createServer } from 'node:net';
import type { ManagedChild } from './child-processes';

export const LOOPBACK = '127.0.0.1';

/** Binds port 0 on loopback, reads the port the kernel chose, and releases it. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Retries a TCP connect until it succeeds. Fails early if `owner` exits first (a child that
 * cannot bind should fail the run with its own error, not with a timeout).
 */
export async function waitForPort(port: number, owner: ManagedChild, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!owner.running) throw new Error(owner.describeExit());
    if (await connects(port)) return;
    if (Date.now() > deadline) throw new Error(`${owner.name} did not accept connections on port ${port} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
