import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from '@trufflesuite/uws-js-unofficial';
import { InFlightRequests } from './in-flight-requests';
import { describeListenFailure, probeListenFailureReason } from './listen-failure';
import type { UwsModule } from './load-uws';
import {
  MAX_BODY_BYTES,
  type BoundServer,
  type DemoRequest,
  type DemoRequestHandler,
  type DemoResponse,
  type ServerAdapter,
} from './server-adapter';

const LISTEN_EXCLUSIVE_PORT = 1;
/** The binary has listen(host, port, options, cb); the 20.30 typings only list the shorter forms. */
interface ListenWithOptions {
  listen(host: string, port: number, options: number, cb: (listenSocket: us_listen_socket | false) => void): void;
}

/** Serves the demo with uWebSockets.js. */
export class UwsAdapter implements ServerAdapter {
  readonly flavour = 'uws' as const;

  constructor(private readonly uws: UwsModule) {}

  listen(address: string, port: number, handler: DemoRequestHandler): Promise<BoundServer> {
    const app = this.uws.App();
    const inFlight = new InFlightRequests();
    app.any('/*', (res, req) => acceptRequest(res, req, handler, inFlight));

    return new Promise((resolve, reject) => {
      // uWS calls back synchronously with a listen socket, or false without saying why.
      // uSockets sets SO_REUSEPORT unless told otherwise: a second demo on a busy port would then
      // share it silently instead of failing. 1 = LIBUS_LISTEN_EXCLUSIVE_PORT.
      (app as unknown as ListenWithOptions).listen(address, port, LISTEN_EXCLUSIVE_PORT, (listenSocket) => {
        if (!listenSocket) {
          void probeListenFailureReason(address, port).then((reason) =>
            reject(new Error(describeListenFailure(address, port, reason))),
          );
          return;
        }
        resolve({
          port: this.uws.us_socket_local_port(listenSocket),
          close: () => this.close(app, listenSocket, inFlight),
        });
      });
    });
  }

  private async close(app: TemplatedApp, listenSocket: us_listen_socket, inFlight: InFlightRequests): Promise<void> {
    // The listen socket must be closed before the process ends, or the native side aborts.
    this.uws.us_listen_socket_close(listenSocket);
    inFlight.abortAll('demo server is shutting down');
    // Closing the listen socket alone leaves keep-alive connections open (holding the process
    // until uWS' idle timeout); app.close() drops them and fires onAborted for pending responses.
    // The 20.30 binary has it but its typings omit it, hence the optional call.
    (app as TemplatedApp & { close?: () => void }).close?.();
  }
}

/** Per-request glue: copy what we need out of uWS' stack-allocated request, buffer the body, respond once. */
function acceptRequest(res: HttpResponse, req: HttpRequest, handler: DemoRequestHandler, inFlight: InFlightRequests): void {
  // HttpRequest is only valid during this synchronous callback, so copy everything now.
  const method = req.getMethod().toUpperCase();
  const path = req.getUrl();
  const query = req.getQuery() ?? ''; // undefined when the URL has no '?'
  const headers = new Map<string, string>();
  req.forEach((name, value) => headers.set(name, value));

  const controller = inFlight.begin();
  let aborted = false;
  // Mandatory before returning without responding; after it fires, res must not be touched.
  res.onAborted(() => {
    aborted = true;
    controller.abort(new Error('client closed the connection'));
    inFlight.end(controller);
  });

  const chunks: Buffer[] = [];
  let receivedBytes = 0;
  res.onData((chunk, isLast) => {
    receivedBytes += chunk.byteLength;
    // uWS neuters the ArrayBuffer after this callback returns: keep a copy, not a view.
    if (receivedBytes <= MAX_BODY_BYTES) chunks.push(Buffer.from(new Uint8Array(chunk)));
    if (!isLast) return;

    const request: DemoRequest = {
      method,
      path,
      query,
      headers,
      body: Buffer.concat(chunks),
      bodyTooLarge: receivedBytes > MAX_BODY_BYTES,
      signal: controller.signal,
    };
    handler(request)
      .catch((): DemoResponse => ({ status: 500, headers: {}, body: '' }))
      .then((response) => {
        inFlight.end(controller);
        if (aborted || controller.signal.aborted) return;
        // We are outside uWS' own callback now, so cork to send status, headers and body in one write.
        res.cork(() => writeResponse(res, response));
      });
  });
}

function writeResponse(res: HttpResponse, response: DemoResponse): void {
  res.writeStatus(`${response.status} ${STATUS_CODES[response.status] ?? ''}`.trimEnd());
  // uWS adds Content-Length itself on end(); writing one here would duplicate it.
  for (const [name, value] of Object.entries(response.headers)) res.writeHeader(name, value);
  res.end(response.body);
}
