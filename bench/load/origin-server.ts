// The origin behind every target, run as its own process (`node dist/bench/load/origin-server.js`)
// so that its CPU time never counts as the harness's or a proxy's. It answers every request
// with the same 100-byte keep-alive response body and prints {"port":N} once listening; it
// exits on SIGTERM or SIGINT. Usage: node dist/bench/load/origin-server.js [port [delayMs]]
// With delayMs it answers that long after each request with a plain setTimeout: the timer floor
// (what a Node timer costs on this machine) that injected latency is compared with.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const BODY = Buffer.from('ok '.repeat(33) + '\n');

const delayMs = Number(process.argv[3] ?? 0);

const server = createServer((request, response) => {
  // Drain any request body so the connection stays usable for the next request.
  request.resume();
  // No Date header: every response is then byte-for-byte the same size.
  response.sendDate = false;
  const answer = (): void => {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
    response.end(BODY);
  };
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
});
// Idle keep-alive connections (a proxy's pool between warm-up and measurement) must not be
// closed under a proxy's feet, which would show up as errors that are not the proxy's fault.
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;

const port = Number(process.argv[2] ?? 0);
server.listen({ host: '127.0.0.1', port }, () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
const exit = (): void => process.exit(0);
process.on('SIGTERM', exit);
process.on('SIGINT', exit);
