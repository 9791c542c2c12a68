// A minimal HTTP forward proxy on node:http alone, run as its own process
// (`node dist/bench/load/node-http-proxy.js [port]`): the load benchmark's reference for what
// node:http itself can do on one thread, next to fault's HTTP forward proxy, which is built on
// the same modules. It takes absolute-form requests (`GET http://host:port/path`), forwards
// them with http.request through one keep-alive Agent (no socket limit), pipes the request
// body up and the response (status, headers minus hop-by-hop ones, body) back, keep-alive on
// both sides. No faults, no stats, no logging. Prints {"port":N} once listening; exits on
// SIGTERM or SIGINT.
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { serveChild } from './serve-child';
import { downstreamResponseHeaders, parseAbsoluteHttpUrl, upstreamRequestHeaders } from './forward-headers';

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function forward(clientRequest: IncomingMessage, clientResponse: ServerResponse): void {
  // Pass the origin's headers back as they are: no Date header of the proxy's own.
  clientResponse.sendDate = false;
  const target = parseAbsoluteHttpUrl(clientRequest.url ?? '');
  if (target === undefined) {
    clientRequest.resume();
    clientResponse.writeHead(400, { 'content-length': 0 });
    clientResponse.end();
    return;
  }
  const upstream = request(
    {
      agent,
      host: target.host,
      port: target.port,
      method: clientRequest.method,
      path: target.path,
      headers: upstreamRequestHeaders(clientRequest.rawHeaders, target.authority),
      setHost: false,
    },
    (upstreamResponse) => {
      clientResponse.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.statusMessage, downstreamResponseHeaders(upstreamResponse.rawHeaders));
      upstreamResponse.on('error', () => clientResponse.destroy());
      upstreamResponse.pipe(clientResponse);
    },
  );
  upstream.on('error', () => {
    if (clientResponse.headersSent) {
      clientResponse.destroy();
    } else {
      clientResponse.writeHead(502, { 'content-length': 0 });
      clientResponse.end();
    }
  });
  // A client that goes away mid-exchange takes the upstream exchange along (its socket is not
  // reused: the rest of the response would be left unread on it).
  clientResponse.on('close', () => {
    if (!clientResponse.writableFinished) upstream.destroy();
  });
  clientRequest.on('error', () => upstream.destroy());
  clientRequest.pipe(upstream);
}

serveChild(createServer(forward));
