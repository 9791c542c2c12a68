// One HTTP request/response relayed to its upstream, bodies streamed both ways through the
// fault pumps: the request head and body on the toUpstream flow, the response head, body and
// trailers on the toClient flow.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import type { ConnectionControl, HttpAnswer } from '../faults/fault';
import { type AttachedFaults, type FaultTally, NO_FAULTS } from '../faults/registry';
import { type ProxyFailure, failureAnswer, injectedDnsFailure, sendFailure, upstreamFailure } from './http-errors';
import { forwardHeaders, trailerPairs } from './http-headers';
import type { HttpTarget } from './http-target';
import { Pump, type PumpSink } from './pump';
import type { ShardContext } from './shard-context';
import { resetSocket } from './socket-io';
import { ConnectTimeoutError } from './upstream-connect';

/** Keep-alive connection pools to upstreams, one pair per shard. */
export interface UpstreamAgents {
  http: http.Agent;
  https: https.Agent;
}

/** Why an exchange still open when the drain time ran out ended. */
const CUT_AT_STOP = 'cut at stop: the drain time ran out';

export function createUpstreamAgents(): UpstreamAgents {
  const options = { keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' as const };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

export interface ExchangeResult {
  /** The status the client got (0: none was sent). */
  status: number;
  /** Why the exchange failed, if it did. */
  error?: string;
  bytesToUpstream: number;
  bytesToClient: number;
  faults: FaultTally;
}

export interface ExchangeOptions {
  target: HttpTarget;
  /** Whether faults apply (the destination matched --upstream, or a service mapping). */
  faulted: boolean;
  /** We received `Expect: 100-continue`: forward it and relay the upstream's 100. */
  expectsContinue: boolean;
  /** Called once with the outcome, when the exchange is over for the client. */
  onFinished(outcome: ExchangeResult): void;
}

/** How long we let the upstream decide on `Expect: 100-continue` before telling the client to go on. */
const CONTINUE_FALLBACK_MS = 1000;

export function forwardExchange(
  context: ShardContext,
  agents: UpstreamAgents,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  options: ExchangeOptions,
): void {
  const { target } = options;
  const wheel = context.wheel;
  let upstreamReq: http.ClientRequest | undefined;
  // Faults that end "the connection" of an exchange act on the client's socket and the
  // upstream request.
  const connection: ConnectionControl = {
    reset: () => {
      upstreamReq?.destroy();
      if (res.socket) resetSocket(res.socket);
    },
    close: () => {
      upstreamReq?.destroy();
      res.socket?.destroySoon();
    },
  };
  const faults: AttachedFaults = options.faulted ? context.attachFaults(connection) : NO_FAULTS;
  const stages = faults.stages;
  const abort = (how: 'reset' | 'close') => (how === 'reset' ? connection.reset() : connection.close());
  let status = 0;
  let error: string | undefined;
  let bytesToUpstream = 0;
  let bytesToClient = 0;
  let finished = false;
  let continueTimer: NodeJS.Timeout | undefined;
  res.sendDate = false;

  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(continueTimer);
    toUpstream.close();
    toClient?.close();
    context.release(faults);
    options.onFinished({ status, error, bytesToUpstream, bytesToClient, faults: faults.tally });
  };
  const fail = (failure: ProxyFailure) => {
    error ??= failure.message;
    if (status === 0) status = failure.status;
    upstreamReq?.destroy();
    sendFailure(res, failure);
  };

  const requestSink: PumpSink = {
    write: (chunk) => upstreamReq!.write(chunk),
    end: () => upstreamReq!.end(),
    onceDrain: (callback) => upstreamReq!.once('drain', callback),
  };
  const toUpstream = new Pump(req, requestSink, stages.toUpstream, wheel, abort);
  let toClient: Pump | undefined;
  const responseSink: PumpSink = {
    write: (chunk) => res.write(chunk),
    end: () => res.end(),
    onceDrain: (callback) => res.once('drain', callback),
  };

  /**
   * A fault answers in the upstream's place (http-response, or an injected DNS failure). The
   * answer still goes through the toClient stages, so e.g. latency applies to it as well.
   */
  const answerInstead = (answer: HttpAnswer, contentType: string, injectedBy: string) => {
    req.resume();
    const pump = new Pump(undefined, responseSink, stages.toClient, wheel, abort);
    toClient = pump;
    const body = Buffer.from(answer.body);
    // 204 and 304 carry no body and no body headers (RFC 9110 §8.6).
    const bodyless = answer.status === 204 || answer.status === 304;
    pump.pushMarker(() => {
      status = answer.status;
      res.writeHead(
        answer.status,
        bodyless
          ? { 'X-Fault-Injected': injectedBy }
          : { 'Content-Type': contentType, 'Content-Length': body.length, 'X-Fault-Injected': injectedBy },
      );
    });
    if (body.length > 0 && !bodyless) pump.push(body);
    pump.end();
  };

  const startUpstream = () => {
    // Without faults nothing can fail the lookup: skip isIP (two regexes for a host name).
    if (!faults.none && isIP(target.host) === 0 && faults.failsResolution(target.host)) {
      answerInstead(failureAnswer(injectedDnsFailure(target.host)), 'application/json', 'dns');
      return;
    }
    const agent = target.https ? agents.https : agents.http;
    const request = (target.https ? https.request : http.request)({
      agent,
      host: target.host,
      port: target.port,
      method: req.method,
      path: target.path,
      headers: forwardHeaders(req.rawHeaders, { host: target.authority }) as unknown as http.OutgoingHttpHeaders,
      setHost: false,
      // Plain http has no TLS name; '' (rather than undefined) stops the agent from working one
      // out from the Host header and an isIP check on every request.
      servername: target.https ? (/^[\d.:]+$/.test(target.host) ? undefined : target.host) : '',
    });
    upstreamReq = request;
    request.on('socket', (socket: Socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(
        () => request.destroy(new ConnectTimeoutError(target, context.config.connectTimeoutMs)),
        context.config.connectTimeoutMs,
      );
      socket.once(target.https ? 'secureConnect' : 'connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    request.on('error', (failure: NodeJS.ErrnoException) => {
      if (finished) return;
      // Our own stop cut it: not the upstream's failure, and there is no one left to answer.
      if (context.cutting) error ??= CUT_AT_STOP;
      else fail(upstreamFailure(failure, `upstream ${target.authority}`));
    });
    if (options.expectsContinue) {
      let continued = false;
      const sendContinue = () => {
        clearTimeout(continueTimer);
        if (continued || res.headersSent) return;
        continued = true;
        res.writeContinue();
      };
      request.once('continue', sendContinue);
      continueTimer = setTimeout(sendContinue, CONTINUE_FALLBACK_MS);
    }
    request.on('response', (upstreamRes) => relayResponse(upstreamRes));
  };

  const relayResponse = (upstreamRes: http.IncomingMessage) => {
    clearTimeout(continueTimer);
    const pump = new Pump(upstreamRes, responseSink, stages.toClient, wheel, abort);
    toClient = pump;
    pump.pushMarker(() => {
      try {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, forwardHeaders(upstreamRes.rawHeaders));
        status = res.statusCode;
      } catch (error) {
        // A status like 099 or a reason phrase with control characters: Node refuses to send
        // it on. That one exchange gets a 502; nothing else is affected.
        pump.close();
        upstreamRes.destroy();
        fail({ status: 502, message: `upstream ${target.authority} sent an invalid response head: ${(error as Error).message}` });
      }
    });
    upstreamRes.on('data', (chunk: Buffer) => {
      context.stats.counters.bytesToClient += chunk.length;
      bytesToClient += chunk.length;
      pump.push(chunk);
    });
    upstreamRes.on('end', () => {
      if (upstreamRes.rawTrailers.length > 0) pump.pushMarker(() => res.addTrailers(trailerPairs(upstreamRes.rawTrailers)));
      pump.end();
    });
    const cutShort = () => {
      error ??= context.cutting ? CUT_AT_STOP : `upstream ${target.authority} closed the response early`;
      res.destroy();
    };
    upstreamRes.on('error', cutShort);
    upstreamRes.on('aborted', cutShort);
  };

  const answer = faults.httpAnswer();
  if (answer) {
    answerInstead(answer, 'text/plain; charset=utf-8', 'http-response');
  } else {
    toUpstream.pushMarker(startUpstream);
  }
  if (!answer) {
    req.on('data', (chunk: Buffer) => {
      context.stats.counters.bytesToUpstream += chunk.length;
      bytesToUpstream += chunk.length;
      toUpstream.push(chunk);
    });
    req.on('end', () => toUpstream.end());
  }

  res.on('finish', finish);
  res.on('close', () => {
    // The client went away before the response was complete: abort the upstream request too.
    if (!res.writableFinished) {
      error ??= context.cutting ? CUT_AT_STOP : 'the client closed the connection before the response was complete';
      upstreamReq?.destroy();
    }
    finish();
  });
}
