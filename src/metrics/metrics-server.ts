// Serves Prometheus text metrics from the engine's merged statistics, on the main thread:
// GET or HEAD /metrics; 404 elsewhere, 405 for other methods. Values are as fresh as the last
// merge: shards send their statistics about once a second.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from '../config/types';
import type { StatsAggregate } from '../stats/aggregate';
import { renderPrometheus } from './prometheus-exposition';
import { PROMETHEUS_CONTENT_TYPE } from './prometheus-text';
import { RequestTally } from './request-tally';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export interface MetricsExtras {
  /** Finished exchanges by outcome, fed from the shards' exchange records. */
  requests?: RequestTally;
  shards?: number;
}

function answer(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export async function startMetricsServer(
  address: ListenAddress,
  stats: StatsAggregate,
  extras: MetricsExtras = {},
): Promise<MetricsServer> {
  const requests = extras.requests ?? new RequestTally();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return answer(res, 404, 'not found: metrics are at /metrics\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'use GET or HEAD\n', { Allow: 'GET, HEAD' });
    let body: string;
    try {
      body = renderPrometheus({ stats, requests, shards: extras.shards ?? stats.perShard.size });
    } catch (error) {
      return answer(res, 500, `cannot render metrics: ${(error as Error).message}\n`);
    }
    answer(res, 200, body, { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: address.host, port: address.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
