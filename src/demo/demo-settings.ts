import type { ServerFlavour } from './server-adapter';

/** Proxy variables in the spelling undici's EnvHttpProxyAgent takes as explicit options. */
export interface ProxySettings {
  httpProxy: string;
  httpsProxy: string;
  noProxy: string;
}

/** Everything the demo reads from the environment, resolved once when it starts. */
export interface DemoSettings {
  pingUrl: string;
  multiUrls: string[];
  preferredServer: ServerFlavour;
  proxy: ProxySettings;
}

export const DEFAULT_PING_URL = 'https://postman-echo.com/get';
export const DEFAULT_MULTI_URLS = ['https://www.example.com/', 'https://postman-echo.com/get'];

type Environment = Readonly<Record<string, string | undefined>>;

export function readDemoSettings(env: Environment): DemoSettings {
  return {
    pingUrl: nonEmpty(env.FAULT_DEMO_PING_URL) ?? DEFAULT_PING_URL,
    multiUrls: parseUrlList(env.FAULT_DEMO_MULTI_URLS) ?? DEFAULT_MULTI_URLS,
    preferredServer: env.FAULT_DEMO_SERVER?.trim().toLowerCase() === 'node' ? 'node' : 'uws',
    proxy: {
      // Lower-case first, like curl and undici.
      httpProxy: nonEmpty(env.http_proxy) ?? nonEmpty(env.HTTP_PROXY) ?? '',
      httpsProxy: nonEmpty(env.https_proxy) ?? nonEmpty(env.HTTPS_PROXY) ?? '',
      noProxy: nonEmpty(env.no_proxy) ?? nonEmpty(env.NO_PROXY) ?? '',
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function parseUrlList(value: string | undefined): string[] | undefined {
  const urls = (value ?? '').split(',').map((url) => url.trim()).filter((url) => url.length > 0);
  return urls.length > 0 ? urls : undefined;
}
