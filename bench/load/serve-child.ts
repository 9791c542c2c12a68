// What the harness's own server processes (the origin, the node:http reference proxy) share:
// long keep-alive so pooled idle connections are never closed under a proxy's feet (that would
// show up as errors that are not the proxy's fault), listening on the port given as argv[2]
// (0 = a free one), telling the harness that port as {"port":N}, and exiting on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export function serveChild(server: Server): void {
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  const port = Number(process.argv[2] ?? 0);
  server.listen({ host: '127.0.0.1', port }, () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  const exit = (): void => process.exit(0);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
}
