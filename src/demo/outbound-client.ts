import { Agent, EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import type { ProxySettings } from './demo-settings';

export interface OutboundResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

/** An outbound GET that did not produce a response; the message is fit for a JSON error body. */
export class OutboundError extends Error {}

/**
 * The demo's HTTP client for its server-side calls. It uses undici with an explicit
 * dispatcher because Node 20's global fetch ignores HTTP_PROXY/HTTPS_PROXY/NO_PROXY,
 * and routing these calls through `fault run` via those variables is the demo's purpose.
 */
export class OutboundClient {
  private readonly dispatcher: Dispatcher;

  constructor(proxy: ProxySettings, private readonly timeoutMs: number) {
    this.dispatcher = createDispatcher(proxy);
  }

  /** GETs `url` and buffers the whole body; rejects with OutboundError on any failure. */
  async get(url: string, signal: AbortSignal): Promise<OutboundResponse> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: this.dispatcher,
        signal: AbortSignal.any([signal, timeout]),
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      const contentType = response.headers['content-type'];
      return {
        status: response.statusCode,
        contentType: Array.isArray(contentType) ? contentType.join(', ') : (contentType ?? ''),
        body,
      };
    } catch (error) {
      if (timeout.aborted) throw new OutboundError(`GET ${url}: no complete answer within ${this.timeoutMs} ms`);
      throw new OutboundError(`GET ${url}: ${describeFailure(error)}`);
    }
  }

  /** Drops pooled keep-alive connections so they do not hold the process open. */
  async close(): Promise<void> {
    await this.dispatcher.destroy();
  }
}

function createDispatcher(proxy: ProxySettings): Dispatcher {
  if (!proxy.httpProxy && !proxy.httpsProxy) return new Agent();
  // Values are passed explicitly (even empty ones) so the agent never re-reads process.env:
  // settings stay as they were when the demo started, and tests can inject their own.
  // proxyTunnel=false makes plain-http calls go out as absolute-form requests (like `curl -x`)
  // instead of CONNECT tunnels, so an HTTP-aware proxy sees and can fault each request.
  // It is forwarded to the inner ProxyAgent but missing from EnvHttpProxyAgent's typings.
  const options: EnvHttpProxyAgent.Options & { proxyTunnel: boolean } = { ...proxy, proxyTunnel: false };
  return new EnvHttpProxyAgent(options);
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  // Happy-eyeballs failures arrive as an AggregateError with an empty message.
  const message = error.message || code || error.name;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
