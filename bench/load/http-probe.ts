// One real HTTP exchange through a target, to know it serves (not merely accepts) before load.
import { request } from 'node:http';
import { LOOPBACK, sleep } from './ports';

export interface ProbeTarget {
  port: number;
  /** Send the absolute-form request of an HTTP forward proxy, aimed at this origin port. */
  forwardProxyTo?: number;
}

/** Retries until one request gets a 200, or fails with the last problem seen. */
export async function waitUntilServing(target: ProbeTarget, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = 'no attempt';
  while (Date.now() < deadline) {
    try {
      const status = await exchangeOnce(target);
      if (status === 200) return;
      problem = `status ${status}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`port ${target.port} did not answer with 200 within ${timeoutMs} ms (${problem})`);
}

function exchangeOnce(target: ProbeTarget): Promise<number> {
  const originHost = target.forwardProxyTo === undefined ? `${LOOPBACK}:${target.port}` : `${LOOPBACK}:${target.forwardProxyTo}`;
  const path = target.forwardProxyTo === undefined ? '/' : `http://${originHost}/`;
  return new Promise((resolve, reject) => {
    const exchange = request({ host: LOOPBACK, port: target.port, path, headers: { host: originHost }, agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode ?? 0));
      response.once('error', reject);
    });
    exchange.once('timeout', () => exchange.destroy(new Error('timed out')));
    exchange.once('error', reject);
    exchange.end();
  });
}
