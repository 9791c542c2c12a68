// Where an HTTP request should go: from an absolute-form URL (forward proxy), from the Host
// header of an origin-form request (reverse/transparent use), or a fixed service target.
import { isIP } from 'node:net';

export interface HttpTarget {
  https: boolean;
  /** Host name or IP literal, IPv6 without brackets. */
  host: string;
  port: number;
  /** Path and query to request on the upstream. */
  path: string;
  /** The authority as it goes in a Host header: host[:port], IPv6 in brackets, default port omitted. */
  authority: string;
}

export class BadTargetError extends Error {}

function authorityOf(host: string, port: number, https: boolean): string {
  // Every IPv6 literal has a colon and a host name never does: skip isIP's regexes for names.
  const shown = host.includes(':') && isIP(host) === 6 ? `[${host}]` : host;
  return port === (https ? 443 : 80) ? shown : `${shown}:${port}`;
}

/** Splits `host[:port]` / `[v6][:port]`; port undefined when absent. */
export function splitHostPort(text: string): { host: string; port?: number } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw new BadTargetError(`bad authority "${text}"`);
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw new BadTargetError(`bad authority "${text}"`);
      portText = rest.slice(1);
    }
  } else {
    const colon = text.lastIndexOf(':');
    if (colon >= 0 && text.indexOf(':') !== colon) {
      host = text; // a bare IPv6 literal without brackets: no port
    } else if (colon >= 0) {
      host = text.slice(0, colon);
      portText = text.slice(colon + 1);
    } else {
      host = text;
    }
  }
  if (host === '') throw new BadTargetError(`missing host in "${text}"`);
  if (portText === undefined || portText === '') return { host: host.toLowerCase() };
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) throw new BadTargetError(`bad port in "${text}"`);
  return { host: host.toLowerCase(), port };
}

/** `http://host[:port]/path?query` as received by a forward proxy. */
export function targetFromAbsoluteUrl(url: string): HttpTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadTargetError(`bad request target "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadTargetError(`unsupported scheme "${parsed.protocol}" (only http and https)`);
  }
  const https = parsed.protocol === 'https:';
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  if (!host) throw new BadTargetError(`missing host in "${url}"`);
  const port = parsed.port ? Number(parsed.port) : https ? 443 : 80;
  return { https, host, port, path: `${parsed.pathname}${parsed.search}`, authority: authorityOf(host, port, https) };
}

/** An origin-form request (`GET /path`) routed by its Host header. */
export function targetFromHostHeader(hostHeader: string | undefined, path: string): HttpTarget {
  if (!hostHeader) throw new BadTargetError('no absolute URL and no Host header: cannot tell where to send the request');
  const { host, port = 80 } = splitHostPort(hostHeader.trim());
  if (!/^[a-z0-9._~!$&'()*+;=%:-]+$/i.test(host)) throw new BadTargetError(`bad Host header "${hostHeader}"`);
  return { https: false, host, port, path: path || '/', authority: authorityOf(host, port, false) };
}

/** A `--proxy http:PORT=host:port` service mapping: every request goes to one remote. */
export function fixedTarget(remote: { host: string; port: number }, https: boolean, path: string): HttpTarget {
  return { https, host: remote.host, port: remote.port, path: path || '/', authority: authorityOf(remote.host, remote.port, https) };
}

/** `CONNECT host:port` authority. */
export function targetFromConnectAuthority(authority: string): { host: string; port: number } {
  const { host, port } = splitHostPort(authority);
  if (port === undefined) throw new BadTargetError(`CONNECT target "${authority}" has no port`);
  return { host, port };
}
