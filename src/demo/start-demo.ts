import { assertValidPort, connectableHost, httpOrigin, normalizeListenAddress } from './addresses';
import { createDemoRoutes } from './demo-routes';
import { readDemoSettings } from './demo-settings';
import { OutboundClient } from './outbound-client';
import { withRequestLog } from './request-log';
import { createRouter } from './router';
import { selectServerAdapter } from './select-server-adapter';
import type { ServerFlavour } from './server-adapter';

export interface DemoServer {
  /** The address it is bound to (IPv6 without brackets). */
  address: string;
  /** The real port, also when 0 was requested. */
  port: number;
  server: ServerFlavour;
  close(): Promise<void>;
}

export interface DemoOptions {
  address: string;
  /** 0 = an ephemeral port, reported in DemoServer.port. */
  port: number;
  /** No per-request log lines. */
  quiet?: boolean;
  /** Where log lines go; default stdout. */
  log?: (line: string) => void;
  /** Environment to read FAULT_DEMO_* and proxy variables from (default process.env), read once here. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Force a server flavour; default from FAULT_DEMO_SERVER, else uWS when it loads. */
  server?: ServerFlavour;
  /** Limit for each outbound call, whole exchange; default 10 s. */
  outboundTimeoutMs?: number;
}

const DEFAULT_OUTBOUND_TIMEOUT_MS = 10_000;

/** Binds the demo application and serves it until close(); rejects with a one-line Error if it cannot bind. */
export async function startDemo(options: DemoOptions): Promise<DemoServer> {
  assertValidPort(options.port);
  const settings = readDemoSettings(options.env ?? process.env);
  const log = options.log ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const requestLog = options.quiet ? undefined : log;
  const address = normalizeListenAddress(options.address);

  const { adapter, fallbackNote } = selectServerAdapter(options.server ?? settings.preferredServer);
  if (fallbackNote) requestLog?.(fallbackNote);

  const client = new OutboundClient(settings.proxy, options.outboundTimeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS);
  // Filled in once bound: with port 0 the real port is unknown until then.
  let selfOrigin = '';
  const routes = createDemoRoutes({
    client,
    pingUrl: settings.pingUrl,
    multiUrls: settings.multiUrls,
    selfOrigin: () => selfOrigin,
  });

  const bound = await adapter
    .listen(address, options.port, withRequestLog(createRouter(routes), requestLog))
    .catch(async (error: unknown) => {
      await client.close();
      throw error;
    });
  selfOrigin = httpOrigin(connectableHost(address), bound.port);

  let closing: Promise<void> | undefined;
  return {
    address,
    port: bound.port,
    server: adapter.flavour,
    // Idempotent: a second signal or a test's cleanup may close again.
    close: () => {
      closing ??= bound.close().then(() => client.close());
      return closing;
    },
  };
}
