// What the node:http reference proxy (node-http-proxy.ts) does to a request line and to the
// header lists it forwards, kept apart from the program so it can be tested without sockets.

/** Hop-by-hop fields (RFC 9110 7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface AbsoluteTarget {
  /** host[:port] as written in the URL: the Host header sent upstream. */
  authority: string;
  host: string;
  port: number;
  /** Path and query, '/' when the URL has none. */
  path: string;
}

/**
 * Splits an absolute-form request target (`http://127.0.0.1:8080/a?b`), as a client sends it
 * to a forward proxy. Anything else (origin-form, https, a bad port) gives undefined.
 */
export function parseAbsoluteHttpUrl(url: string): AbsoluteTarget | undefined {
  if (url.slice(0, 7).toLowerCase() !== 'http://') return undefined;
  let end = 7;
  while (end < url.length && url[end] !== '/' && url[end] !== '?') end += 1;
  const authority = url.slice(7, end);
  const rest = url.slice(end);
  const path = rest === '' ? '/' : rest[0] === '?' ? `/${rest}` : rest;

  // host, [v6 host], host:port or [v6 host]:port; no user info.
  const parts = /^(?:\[([^\]]+)\]|([^:@[\]]+))(?::(\d{1,5}))?$/.exec(authority);
  if (parts === null) return undefined;
  const port = parts[3] === undefined ? 80 : Number(parts[3]);
  if (port < 1 || port > 65535) return undefined;
  return { authority, host: parts[1] ?? parts[2], port, path };
}

/**
 * A raw header list (`[name, value, name, value, ...]`, as node's rawHeaders) without the
 * hop-by-hop fields, without those the Connection header names, and without `drop` (lower case).
 * `hadTransferEncoding` tells that the message body was framed by Transfer-Encoding.
 */
export function endToEndHeaders(raw: readonly string[], drop?: string): { headers: string[]; hadTransferEncoding: boolean } {
  let listed: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1].split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') (listed ??= new Set()).add(name);
    }
  }
  const headers: string[] = [];
  let hadTransferEncoding = false;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (name === 'transfer-encoding') hadTransferEncoding = true;
    if (HOP_BY_HOP.has(name) || name === drop || listed?.has(name)) continue;
    headers.push(raw[i], raw[i + 1]);
  }
  return { headers, hadTransferEncoding };
}

/**
 * The headers of the upstream request: Host from the absolute URL (a proxy replaces the one it
 * received, RFC 9112 3.2.2), then the client's end-to-end fields. A body that came chunked goes
 * on chunked (node re-frames it), since its length is not known up front.
 */
export function upstreamRequestHeaders(raw: readonly string[], authority: string): string[] {
  const { headers, hadTransferEncoding } = endToEndHeaders(raw, 'host');
  return hadTransferEncoding ? ['Host', authority, ...headers, 'Transfer-Encoding', 'chunked'] : ['Host', authority, ...headers];
}

/** The headers passed back to the client: the origin's end-to-end fields (node frames the body). */
export function downstreamResponseHeaders(raw: readonly string[]): string[] {
  return endToEndHeaders(raw).headers;
}
