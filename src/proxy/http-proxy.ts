// The HTTP listener of a shard: a forward proxy (absolute-form requests and CONNECT), which
// also relays origin-form requests by their Host header; or, for a `--proxy http:PORT=...`
// mapping, a service proxy that sends every request to one remote.
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type { PortMapping } from '../config/types';
import { matchesUpstream } from '../config/upstream';
import { handleConnect } from './connect-tunnel';
import { writeRawFailure, sendFailure } from './http-errors';
import { createUpstreamAgents, forwardExchange, type UpstreamAgents } from './http-exchange';
import { hasLooped } from './http-headers';
import {
  BadTargetError,
  type HttpTarget,
  fixedTarget,
  targetFromAbsoluteUrl,
  targetFromHostHeader,
} from './http-target';
import type { ExchangeStart, ShardContext } from './shard-context';

export interface HttpProxyOptions {
  /** Set for a service mapping: every request goes there and faults always apply. */
  service?: PortMapping;
}

export function createHttpProxyServer(context: ShardContext, options: HttpProxyOptions = {}): http.Server {
  const agents = createUpstreamAgents();
  // With `--upstream '*'` every destination is faulted: decide that once here rather than
  // canonicalising the host of every request (an IPv6 regex and a lower-casing) to match it.
  const faultsEverything = options.service !== undefined || context.config.upstreams.some((m) => m.kind === 'any');
  const server = http.createServer({
    // Long uploads and slow (faulted) exchanges are the point here: no whole-request deadline.
    requestTimeout: 0,
    // A missing Host gets our own 400 (with a reason) instead of Node's bare one, and
    // absolute-form requests do not need a Host at all.
    requireHostHeader: false,
    headersTimeout: 60_000,
    keepAliveTimeout: 5_000,
    noDelay: true,
  });
  server.on('connection', (socket: Socket) => context.track(socket));
  server.on('request', (req, res) => handleRequest(context, agents, options, faultsEverything, req, res, false));
  server.on('checkContinue', (req, res) => handleRequest(context, agents, options, faultsEverything, req, res, true));
  server.on('connect', (req, socket: Socket, head: Buffer) => {
    if (options.service) {
      context.stats.counters.errors++;
      writeRawFailure(socket, { status: 405, message: 'CONNECT is not supported on a service mapping' });
      return;
    }
    handleConnect(context, req, socket, head);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // A client that goes away between requests is not an error of ours.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    context.stats.counters.errors++;
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    writeRawFailure(socket, { status, message: `malformed request: ${error.code ?? error.message}` });
  });
  server.on('close', () => {
    agents.http.destroy();
    agents.https.destroy();
  });
  return server;
}

function resolveTarget(options: HttpProxyOptions, req: http.IncomingMessage): HttpTarget {
  const url = req.url ?? '/';
  if (options.service) return fixedTarget(options.service.remote, options.service.remoteTls, url);
  if (url.startsWith('/')) return targetFromHostHeader(req.headers.host, url);
  return targetFromAbsoluteUrl(url);
}

/** Answers a request the proxy will not forward, and records it. */
function refuse(
  context: ShardContext,
  start: ExchangeStart,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  message: string,
): void {
  req.resume();
  sendFailure(res, { status, message });
  context.endExchange(start, {
    protocol: 'http', method: req.method ?? 'GET', target: req.url ?? '', status, bytesToUpstream: 0, bytesToClient: 0,
    passthrough: false, faults: [], injectedMs: 0, error: message,
  });
}

function handleRequest(
  context: ShardContext,
  agents: UpstreamAgents,
  options: HttpProxyOptions,
  faultsEverything: boolean,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  expectsContinue: boolean,
): void {
  const start = context.beginExchange();
  const method = req.method ?? 'GET';
  let target: HttpTarget;
  try {
    target = resolveTarget(options, req);
  } catch (error) {
    refuse(context, start, req, res, 400, (error as BadTargetError).message);
    return;
  }
  if (hasLooped(req.rawHeaders)) {
    refuse(context, start, req, res, 508, `request to ${target.authority} loops back into this proxy`);
    return;
  }
  const faulted = faultsEverything || matchesUpstream(context.config.upstreams, target.host, target.port);

  forwardExchange(context, agents, req, res, {
    target,
    faulted,
    expectsContinue,
    onFinished: (result) =>
      context.endExchange(start, {
        protocol: 'http',
        method,
        target: `${target.https ? 'https' : 'http'}://${target.authority}${target.path}`,
        status: result.status,
        bytesToUpstream: result.bytesToUpstream,
        bytesToClient: result.bytesToClient,
        passthrough: !faulted,
        faults: result.faults.kinds,
        injectedMs: result.faults.injectedMs,
        error: result.error,
      }),
  });
}
