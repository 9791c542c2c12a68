import { connectableHost, httpOrigin } from './addresses';
import { formatHostPort } from './listen-failure';
import type { ServerFlavour } from './server-adapter';

/** Where `fault run` listens by default; the examples route through it. */
const DEFAULT_PROXY_URL = 'http://127.0.0.1:3180';

const SERVER_NAMES: Record<ServerFlavour, string> = { uws: 'uWebSockets.js', node: 'node:http' };

/** The text printed when `fault demo run` starts: where it listens and how to put it behind the proxy. */
export function welcomeText(address: string, port: number, server: ServerFlavour): string {
  const origin = httpOrigin(connectableHost(address), port);
  const curl = `curl -x ${DEFAULT_PROXY_URL}`;
  return [
    `fault demo listening on ${formatHostPort(address, port)} (${SERVER_NAMES[server]})`,
    '',
    'Send the demo\'s own outbound calls (/ping, /ping/myself, /multi) through `fault run`:',
    `  export HTTP_PROXY=${DEFAULT_PROXY_URL}`,
    '',
    'Then call it through the proxy:',
    `  ${curl} ${origin}/`,
    `  ${curl} ${origin}/ping/myself`,
    `  ${curl} ${origin}/uppercase --json '{"content":"hello"}'`,
    `  ${curl} ${origin}/ping`,
    '',
    'Press Ctrl+C to stop.',
    '',
  ].join('\n');
}
