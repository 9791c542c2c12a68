import http from 'node:http';
import { InFlightRequests } from './in-flight-requests';
import { describeListenFailure, reasonFromListenError } from './listen-failure';
import {
  MAX_BODY_BYTES,
  type BoundServer,
  type DemoRequest,
  type DemoRequestHandler,
  type DemoResponse,
  type ServerAdapter,
} from './server-adapter';

/** Serves the demo with node:http (used when uWS cannot load, or on request). */
export class NodeHttpAdapter implements ServerAdapter {
  readonly flavour = 'node' as const;

  listen(address: string, port: number, handler: DemoRequestHandler): Promise<BoundServer> {
    const inFlight = new InFlightRequests();
    const server = http.createServer((req, res) => acceptRequest(req, res, handler, inFlight));

    return new Promise((resolve, reject) => {
      server.once('error', (error) => reject(new Error(describeListenFailure(address, port, reasonFromListenError(error)))));
      server.listen({ host: address, port, exclusive: true }, () => {
        const bound = server.address();
        resolve({
          port: typeof bound === 'object' && bound !== null ? bound.port : port,
          close: () => closeServer(server, inFlight),
        });
      });
    });
  }
}

function closeServer(server: http.Server, inFlight: InFlightRequests): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    inFlight.abortAll('demo server is shutting down');
    // server.close() only waits for busy connections; aborted requests never answer, so drop them all.
    server.closeAllConnections();
  });
}

function acceptRequest(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  handler: DemoRequestHandler,
  inFlight: InFlightRequests,
): void {
  const controller = inFlight.begin();
  res.once('close', () => {
    inFlight.end(controller);
    if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
  });

  const chunks: Buffer[] = [];
  let receivedBytes = 0;
  req.on('data', (chunk: Buffer) => {
    receivedBytes += chunk.length;
    if (receivedBytes <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.once('error', () => controller.abort(new Error('request stream failed')));
  req.once('end', () => {
    const target = req.url ?? '/';
    const queryStart = target.indexOf('?');
    const headers = new Map<string, string>();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const request: DemoRequest = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: queryStart === -1 ? target : target.slice(0, queryStart),
      query: queryStart === -1 ? '' : target.slice(queryStart + 1),
      headers,
      body: Buffer.concat(chunks),
      bodyTooLarge: receivedBytes > MAX_BODY_BYTES,
      signal: controller.signal,
    };
    handler(request)
      .catch((): DemoResponse => ({ status: 500, headers: {}, body: '' }))
      .then((response) => {
        if (controller.signal.aborted || res.destroyed) return;
        res.writeHead(response.status, response.headers);
        res.end(response.body);
      });
  });
}
