// The seam between the demo's HTTP logic and the server library that carries it.
// Routing and handlers are written once against these types; uws-adapter.ts and
// node-adapter.ts each translate one server library to and from them.

export type ServerFlavour = 'uws' | 'node';

/** A fully read request: adapters buffer the body before handing it over. */
export interface DemoRequest {
  /** Upper-case, e.g. "GET". */
  method: string;
  /** Path without the query string, as sent (still percent-encoded). */
  path: string;
  /** Raw query string without the leading '?', '' when absent. */
  query: string;
  /** Header names are lower-case. */
  headers: ReadonlyMap<string, string>;
  body: Buffer;
  /** The body exceeded MAX_BODY_BYTES; `body` then holds only its start. */
  bodyTooLarge: boolean;
  /** Fires when the client goes away or the server shuts down: stop working, nothing will be sent. */
  signal: AbortSignal;
}

export interface DemoResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type DemoRequestHandler = (request: DemoRequest) => Promise<DemoResponse>;

/** A server that is accepting connections. */
export interface BoundServer {
  /** The real port (meaningful when port 0 was requested). */
  port: number;
  /** Stops accepting, aborts in-flight requests, closes every connection. */
  close(): Promise<void>;
}

export interface ServerAdapter {
  readonly flavour: ServerFlavour;
  /** Rejects with a one-line, human-readable Error when the address cannot be bound. */
  listen(address: string, port: number, handler: DemoRequestHandler): Promise<BoundServer>;
}

/** The demo only ever needs small JSON bodies; anything bigger is refused rather than buffered. */
export const MAX_BODY_BYTES = 1024 * 1024;
