// Header forwarding on every HTTP exchange (twice: request and response): forwardHeaders on
// realistic browser request and origin response header lists, as node:http gives them (rawHeaders).
import { add, complete, cycle, save, suite } from 'benny';
import { forwardHeaders } from '../../src/proxy/http-headers';

const CASE_OPTIONS = { maxTime: 1, minSamples: 10 };

export const BROWSER_REQUEST: readonly string[] = [
  'Host', 'api.example.test:8080',
  'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Accept', 'application/json, text/plain, */*',
  'Accept-Language', 'en-GB,en;q=0.7,fr;q=0.3',
  'Accept-Encoding', 'gzip, deflate, br, zstd',
  'Referer', 'https://app.example.test/orders/4711?tab=history',
  'Authorization', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJl',
  'Cookie', 'session=0123456789abcdef; theme=dark; consent=yes',
  'Proxy-Connection', 'keep-alive',
  'Connection', 'keep-alive',
  'Sec-Fetch-Dest', 'empty',
  'Sec-Fetch-Mode', 'cors',
  'Sec-Fetch-Site', 'same-site',
  'Priority', 'u=0',
];

export const ORIGIN_RESPONSE: readonly string[] = [
  'Content-Type', 'application/json; charset=utf-8',
  'Content-Length', '1834',
  'Cache-Control', 'private, max-age=0, must-revalidate',
  'ETag', 'W/"72a-19f0c7a1b2"',
  'Vary', 'Accept-Encoding, Origin',
  'Set-Cookie', 'session=0123456789abcdef; Path=/; HttpOnly; Secure; SameSite=Lax',
  'Set-Cookie', 'csrf=fedcba9876543210; Path=/; Secure; SameSite=Strict',
  'Strict-Transport-Security', 'max-age=31536000; includeSubDomains',
  'X-Request-Id', '8c1f3e2a-4b5d-4e6f-9a0b-1c2d3e4f5a6b',
  'Connection', 'keep-alive',
  'Keep-Alive', 'timeout=5',
];

export async function runHttpHeaderBenchmarks(resultsFolder: string, options = CASE_OPTIONS): Promise<void> {
  let sink = 0;
  await suite(
    'http headers: forwardHeaders',
    add('browser request (14 fields, new Host)', () => {
      sink += forwardHeaders(BROWSER_REQUEST, { host: 'api.example.test:8080' }).length;
    }, options),
    add('origin response (11 fields)', () => {
      sink += forwardHeaders(ORIGIN_RESPONSE).length;
    }, options),
    add('baseline: copy the request list', () => {
      sink += BROWSER_REQUEST.slice().length;
    }, options),
    cycle(),
    complete(),
    save({ file: 'micro-http-headers', folder: resultsFolder, format: 'json' }),
  );
  if (sink === 0) throw new Error('unreachable: keeps the sink alive');
}
