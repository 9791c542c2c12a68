// `--upstream` entries: which destinations get faults (everything else is passthrough).
//
// Accepted forms, repeated and/or comma-separated:
//   *                              every destination
//   http(s)://host[:port][/path]   host + explicit port, else the scheme's default (80/443);
//                                  other schemes need an explicit port or mean "any port"
//   host:port, [v6]:port           exactly that host and port
//   host, [v6], bare IPv6          that host on any port (the original crashed here)
// Paths are ignored. Hosts are lower-cased; IPv6 is stored without brackets.
//
// Matching is deliberately literal: a destination matches when its host equals an entry's host
// (case-insensitively) and the entry has no port or the same port. No DNS lookups and no
// aliasing: `localhost`, `127.0.0.1` and `::1` are three different hosts, so list each one you
// mean. No wildcard domains or CIDR ranges.

import { isIPv6 } from 'node:net';
import { canonicalHost, parseHost, parsePort, splitHostPort } from './address';
import type { UpstreamMatcher } from './types';
import { InvalidValueError } from './validate';

const SCHEME_DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
};

/** Parses all `--upstream` values (each may hold a comma list); empty list items are skipped. */
export function parseUpstreams(values: readonly string[]): UpstreamMatcher[] {
  const matchers: UpstreamMatcher[] = [];
  for (const value of values) {
    for (const item of value.split(',')) {
      const entry = item.trim();
      if (entry !== '') matchers.push(parseUpstream(entry));
    }
  }
  return matchers;
}

/** Parses one entry (no commas). */
export function parseUpstream(entry: string): UpstreamMatcher {
  const text = entry.trim();
  if (text === '*') return { kind: 'any' };
  if (text.includes('*')) {
    throw new InvalidValueError(
      `Invalid upstream '${entry}': wildcard domains are not supported; use '*' alone for every host.`,
    );
  }
  try {
    return text.includes('://') ? parseUrlEntry(text) : parseHostEntry(text);
  } catch (error) {
    if (error instanceof InvalidValueError) {
      throw new InvalidValueError(`Invalid upstream '${entry}': ${error.message}`);
    }
    throw error;
  }
}

function parseUrlEntry(text: string): UpstreamMatcher {
  const schemeEnd = text.indexOf('://');
  const scheme = text.slice(0, schemeEnd).toLowerCase();
  if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new InvalidValueError(`bad scheme '${scheme}'.`);
  // Keep only the authority: drop path, query and fragment, then any user-info.
  const afterScheme = text.slice(schemeEnd + 3);
  const authority = afterScheme.split(/[/?#]/, 1)[0];
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const { host, portText } = splitHostPort(hostPort);
  if (host === '') throw new InvalidValueError('missing host.');
  const port = portText !== undefined && portText !== '' ? parsePort(portText) : SCHEME_DEFAULT_PORTS[scheme];
  return { kind: 'host', host: parseHost(host), port };
}

function parseHostEntry(text: string): UpstreamMatcher {
  const { host, portText } = splitHostPort(text);
  if (host === '') throw new InvalidValueError('missing host.');
  const port = portText === undefined ? undefined : parsePort(portText);
  return { kind: 'host', host: parseHost(host), port };
}

/** True when a destination should get faults. See the file comment for the exact rule. */
export function matchesUpstream(matchers: readonly UpstreamMatcher[], host: string, port: number): boolean {
  const wanted = canonicalHost(host);
  return matchers.some(
    (matcher) =>
      matcher.kind === 'any' ||
      (matcher.host === wanted && (matcher.port === undefined || matcher.port === port)),
  );
}

/** Display form of a matcher, e.g. `*`, `example.com:443`, `[::1]:*`. */
export function formatUpstream(matcher: UpstreamMatcher): string {
  if (matcher.kind === 'any') return '*';
  const host = isIPv6(matcher.host) ? `[${matcher.host}]` : matcher.host;
  return `${host}:${matcher.port ?? '*'}`;
}
