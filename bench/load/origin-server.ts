// The origin behind every target, run as its own process (`node dist/bench/load/origin-server.js`)
// so that its CPU time never counts as the harness's or a proxy's. It answers every request
// with the same 100-byte keep-alive response body and prints {"port":N} once listening; it
// exits on SIGTERM or SIGINT. Usage: node dist/bench/load/origin-server.js [port [delayMs]]
// With delayMs it answers that long after each request with a plain setTimeout: the timer floor
// (what a Node timer costs on this machine) that injected latency is compared with.
import { createServer } from 'node:http';
import { serveChild } from './serve-child';

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
serveChild(server);
