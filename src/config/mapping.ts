// `--proxy` port mappings.
//
//   MAPPING := [PROTO ":"] [LISTEN_HOST ":"] PORT "=" [SCHEME "://"] HOST [":" PORT]
//
// Left side (the listener):
//   PROTO        tcp (default) | tls | psql | psqls  -> raw byte relay
//                http | https                        -> HTTP service (reverse) proxy
//   LISTEN_HOST  IPv4, [IPv6] or a name such as localhost. Default 127.0.0.1: a fault proxy
//                should not be reachable from the network unless asked (`0.0.0.0:PORT`).
//                (The original defaulted to 0.0.0.0.)
//   `PROTO://` is accepted as a spelling of `PROTO:` for compatibility with the original.
// Right side (the remote):
//   SCHEME       tcp | tls | http | https | psql | psqls. It only chooses the default port and
//                whether to speak TLS; the left PROTO chooses how traffic is handled.
//   PORT         defaults from SCHEME (or, without one, from the left PROTO):
//                http 80, https 443, psql/psqls 5432; tcp/tls need an explicit port.
// TLS to the remote: a tls/https/psqls on either side. An explicitly plain remote scheme
// (tcp/http/psql) behind a TLS listener protocol is a contradiction and is rejected.

import { formatHostPort, parseHost, parseListenPort, parsePort, splitHostPort } from './address';
import type { ListenAddress, MappingProtocol, PortMapping } from './types';
import { InvalidValueError } from './validate';

export const DEFAULT_MAPPING_LISTEN_HOST = '127.0.0.1';

const PROTOCOLS: readonly MappingProtocol[] = ['tcp', 'http', 'https', 'psql', 'psqls', 'tls'];
const TLS_PROTOCOLS: ReadonlySet<MappingProtocol> = new Set<MappingProtocol>(['https', 'psqls', 'tls']);
const HTTP_PROTOCOLS: ReadonlySet<MappingProtocol> = new Set<MappingProtocol>(['http', 'https']);
const DEFAULT_PORTS: Partial<Record<MappingProtocol, number>> = {
  http: 80,
  https: 443,
  psql: 5432,
  psqls: 5432,
};

function asProtocol(text: string): MappingProtocol | undefined {
  const lower = text.toLowerCase();
  return PROTOCOLS.find((protocol) => protocol === lower);
}

/** Parses one `--proxy` value; errors name the mapping. */
export function parsePortMapping(text: string): PortMapping {
  try {
    return parseMappingParts(text.trim());
  } catch (error) {
    if (error instanceof InvalidValueError) {
      throw new InvalidValueError(`Invalid mapping '${text}': ${error.message}`);
    }
    throw error;
  }
}

function parseMappingParts(source: string): PortMapping {
  const equals = source.indexOf('=');
  if (equals < 0) {
    throw new InvalidValueError("expected LISTEN=REMOTE, e.g. 8080=example.com:80 or http:8080=http://example.com.");
  }
  const left = parseListenSide(source.slice(0, equals).trim());
  const right = parseRemoteSide(source.slice(equals + 1).trim());

  if (HTTP_PROTOCOLS.has(left.protocol) && right.scheme !== undefined && !HTTP_PROTOCOLS.has(right.scheme)) {
    throw new InvalidValueError(`an ${left.protocol} listener needs an http:// or https:// remote, not ${right.scheme}://.`);
  }
  if (TLS_PROTOCOLS.has(left.protocol) && right.scheme !== undefined && !TLS_PROTOCOLS.has(right.scheme)) {
    throw new InvalidValueError(
      `'${left.protocol}:' asks for TLS to the remote but '${right.scheme}://' says plain; drop one of them.`,
    );
  }

  const portSource = right.scheme ?? left.protocol;
  const port = right.port ?? DEFAULT_PORTS[portSource];
  if (port === undefined) {
    throw new InvalidValueError(
      `the remote needs a port (only http, https, psql and psqls imply one), e.g. ${formatHostPort(right.host, 9000)}.`,
    );
  }
  const remoteTls = TLS_PROTOCOLS.has(left.protocol) || (right.scheme !== undefined && TLS_PROTOCOLS.has(right.scheme));
  return {
    source,
    listen: left.address,
    listenProtocol: left.protocol,
    remote: { host: right.host, port },
    remoteTls,
  };
}

function parseListenSide(text: string): { protocol: MappingProtocol; address: ListenAddress } {
  if (text === '') throw new InvalidValueError('missing listen port before "=".');
  let protocol: MappingProtocol = 'tcp';
  let rest = text;
  const separator = /^([a-z]+)(:\/\/|:)/i.exec(text);
  const prefix = separator === null ? undefined : asProtocol(separator[1]);
  if (separator !== null && prefix !== undefined) {
    protocol = prefix;
    rest = text.slice(separator[0].length);
  } else if (separator !== null && separator[2] === '://') {
    throw new InvalidValueError(`unknown protocol '${separator[1]}' (expected one of ${PROTOCOLS.join(', ')}).`);
  }
  return { protocol, address: parseListenAddressWithDefaultHost(rest) };
}

/** `port`, `:port`, `host:port`, `[v6]:port`; an absent host means the safe default. */
function parseListenAddressWithDefaultHost(text: string): ListenAddress {
  if (/^\d+$/.test(text)) return { host: DEFAULT_MAPPING_LISTEN_HOST, port: parseListenPort(text) };
  const { host, portText } = splitHostPort(text);
  if (portText === undefined) throw new InvalidValueError(`missing listen port in '${text}'.`);
  return {
    host: host === '' ? DEFAULT_MAPPING_LISTEN_HOST : parseHost(host),
    port: parseListenPort(portText),
  };
}

function parseRemoteSide(text: string): { scheme?: MappingProtocol; host: string; port?: number } {
  if (text === '') throw new InvalidValueError('missing remote after "=".');
  let scheme: MappingProtocol | undefined;
  let rest = text;
  const schemeEnd = text.indexOf('://');
  if (schemeEnd >= 0) {
    const name = text.slice(0, schemeEnd);
    scheme = asProtocol(name);
    if (scheme === undefined) {
      throw new InvalidValueError(`unknown remote scheme '${name}://' (expected one of ${PROTOCOLS.join(', ')}).`);
    }
    rest = text.slice(schemeEnd + 3);
  }
  // A lone trailing slash is harmless; a real path cannot be honoured by a port mapping.
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (/[/?#]/.test(rest)) throw new InvalidValueError('paths are not supported in the remote; give host[:port] only.');
  const { host, portText } = splitHostPort(rest);
  if (host === '') throw new InvalidValueError('missing remote host.');
  return { scheme, host: parseHost(host), port: portText === undefined ? undefined : parsePort(portText) };
}

/** Display form, e.g. `http 127.0.0.1:8080 -> example.com:443 (tls)`. */
export function formatPortMapping(mapping: PortMapping): string {
  const listen = formatHostPort(mapping.listen.host, mapping.listen.port);
  const remote = formatHostPort(mapping.remote.host, mapping.remote.port);
  return `${mapping.listenProtocol} ${listen} -> ${remote}${mapping.remoteTls ? ' (tls)' : ''}`;
}
