// What a client sees when the proxy cannot complete its request: a status that says whose
// fault it was (400 client, 502 upstream, 504 upstream too slow, 508 loop) and a short JSON body.
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';

export interface ProxyFailure {
  status: number;
  message: string;
}

/** Maps an error from reaching the upstream to the status the client should get. */
export function upstreamFailure(error: NodeJS.ErrnoException, where: string): ProxyFailure {
  switch (error.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return { status: 502, message: `cannot resolve ${where}: ${error.code}` };
    case 'ECONNREFUSED':
      return { status: 502, message: `${where} refused the connection` };
    case 'ETIMEDOUT':
      return { status: 504, message: error.message.includes('timed out') ? error.message : `${where}: connection timed out` };
    case 'ECONNRESET':
      return { status: 502, message: `${where} reset the connection` };
    default:
      return { status: 502, message: `${where}: ${error.code ?? ''} ${error.message}`.trim() };
  }
}

/** The dns fault made resolving `host` fail on purpose. */
export function injectedDnsFailure(host: string): ProxyFailure {
  return { status: 502, message: `cannot resolve ${host}: injected DNS failure (fault's dns fault)` };
}

function body(failure: ProxyFailure): string {
  return JSON.stringify({ error: failure.message, by: 'fault' });
}

/** A failure as a status and JSON body, for answers that go through the fault pipeline. */
export function failureAnswer(failure: ProxyFailure): { status: number; body: string } {
  return { status: failure.status, body: body(failure) };
}

export function sendFailure(res: ServerResponse, failure: ProxyFailure): void {
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client knows the body is incomplete.
    res.destroy();
    return;
  }
  const text = body(failure);
  res.writeHead(failure.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** For sockets that left the HTTP parser (CONNECT, client errors): a raw response, then close. */
/** How long a client gets to read a raw failure answer before its socket is closed anyway. */
const LINGER_AFTER_FAILURE_MS = 5_000;

export function writeRawFailure(socket: Socket, failure: ProxyFailure): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = body(failure);
  // Whatever the client still sends (e.g. bytes it wrote behind a CONNECT head) is read and
  // dropped, so it can neither fill our buffers nor keep the socket open; the socket is
  // closed once the answer is out and the client is done, or after a grace period.
  socket.on('data', () => undefined);
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), LINGER_AFTER_FAILURE_MS);
  socket.once('close', () => clearTimeout(timer));
  socket.end(
    `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ''}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
