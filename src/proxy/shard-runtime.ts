// The life of one shard: build its servers on the listening sockets it was given, report
// statistics about once a second, apply new fault sets, and drain on stop.
import * as net from 'node:net';
import type { EngineToShard, ShardListener, ShardResult, ShardTask, ShardToEngine } from '../engine/protocol';
import { createRandom } from '../faults/random';
import type { RunConfig } from '../config/types';
import { ExchangeLog } from '../stats/exchange-log';
import { ShardStats } from '../stats/shard-stats';
import { logFinishedExchanges } from '../telemetry/exchange-log-lines';
import { LOG_OFF } from '../telemetry/log-levels';
import { ShardLogger } from '../telemetry/shard-logger';
import { TimerWheel } from '../time/timer-wheel';
import { createHttpProxyServer } from './http-proxy';
import { NativeFastPath } from './native-fast-path';
import { ShardContext } from './shard-context';
import { handleStealthConnection } from './stealth-relay';
import { handleMappedConnection } from './tcp-relay';

const STATS_INTERVAL_MS = 1000;

/**
 * Per-exchange records cost a message per batch: only ship them when something reads them
 * (--tail, a report, the request counts of --metrics-address, OpenTelemetry spans).
 */
function wantsExchangeRecords(config: RunConfig): boolean {
  return (
    (config.tail && !config.noUi) || config.reportPath !== undefined || config.metricsAddress !== undefined || config.otel === true
  );
}
const LISTEN_BACKLOG = 1024;

function createServerFor(context: ShardContext, listener: ShardListener): net.Server {
  const role = listener.role;
  if (role.kind === 'http-proxy') return createHttpProxyServer(context);
  if (role.kind === 'stealth') {
    return net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) =>
      handleStealthConnection(context, socket),
    );
  }
  const mapping = context.config.mappings[role.mappingIndex];
  if (mapping.listenProtocol === 'http' || mapping.listenProtocol === 'https') {
    return createHttpProxyServer(context, { service: mapping });
  }
  // pauseOnConnect: nothing is read before the remote answers (and nothing at all when the
  // connection then goes to the native relay).
  return net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (socket) =>
    handleMappedConnection(context, mapping, socket),
  );
}

function listen(server: net.Server, listener: ShardListener): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = () => {
      server.off('error', reject);
      resolve();
    };
    // Node ignores options.backlog together with an fd; the (handle, backlog) form keeps it.
    if ('fd' in listener) server.listen({ fd: listener.fd }, LISTEN_BACKLOG, ready);
    else server.listen({ host: listener.host, port: listener.port }, ready);
  });
}

/**
 * Test hook: FAULT_TEST_CRASH_SHARD=<id> makes that shard's thread die shortly after its first
 * start, so the tests can check that the supervisor restarts it.
 */
function crashIfAskedForTesting(task: ShardTask): void {
  if (task.generation === 0 && process.env.FAULT_TEST_CRASH_SHARD === String(task.shardId)) {
    setTimeout(() => process.exit(70), 200);
  }
}

/**
 * An unexpected error while handling one exchange must not take down every connection of the
 * shard (the original aborted the whole process on any such error): it is counted, logged and
 * reported, and the shard goes on serving. Returns the function that removes the handler.
 */
function containUnexpectedErrors(stats: ShardStats, log: ShardLogger, report: (message: string) => void): () => void {
  const handler = (error: Error) => {
    stats.counters.errors++;
    log.error(`unexpected error, the shard keeps serving: ${error.stack ?? error.message}`);
    report(error.message);
  };
  process.on('uncaughtException', handler);
  return () => process.off('uncaughtException', handler);
}

export async function runShard(task: ShardTask): Promise<ShardResult> {
  const { shardId, control, config } = task;
  const post = (message: ShardToEngine) => control.postMessage(message);
  const wheel = new TimerWheel();
  const stats = new ShardStats(shardId);
  const random = createRandom(task.seed).fork(shardId * 1000 + task.generation);
  const log = new ShardLogger(task.logThreshold ?? LOG_OFF, (batch) => post({ type: 'logs', shardId, ...batch }));
  const shipsRecords = wantsExchangeRecords(config);
  // Failed exchanges are logged from their records, so debug logging needs records built too.
  const exchangeLog = new ExchangeLog(shipsRecords || log.enabled('debug'), (records, dropped) => {
    logFinishedExchanges(log, records);
    if (shipsRecords) post({ type: 'exchanges', records, dropped });
  });
  const context = new ShardContext(shardId, config, wheel, random, stats, task.faults, exchangeLog);
  context.fastPath = NativeFastPath.load();

  const servers = task.listeners.map((listener) => createServerFor(context, listener));
  try {
    await Promise.all(servers.map((server, i) => listen(server, task.listeners[i])));
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    log.error(`cannot listen: ${err.message}`);
    post({ type: 'listen-error', shardId, code: err.code, message: err.message });
    for (const server of servers) server.close();
    control.close();
    wheel.close();
    exchangeLog.close();
    return { shardId, cutConnections: 0, finalLogs: log.close() };
  }
  const bound = servers.map((server) => server.address() as net.AddressInfo);
  context.setOwnAddresses(bound.map(({ address, port }) => ({ address, port })));
  const ports = bound.map((address) => address.port);
  post({ type: 'ready', shardId, ports });
  const uncontain = containUnexpectedErrors(stats, log, (message) => post({ type: 'contained-error', shardId, message }));
  log.debug(`listening on port(s) ${ports.join(', ')} (generation ${task.generation})`);
  crashIfAskedForTesting(task);

  const statsTimer = setInterval(() => post({ type: 'stats', delta: stats.takeDelta() }), STATS_INTERVAL_MS);

  const stopped = new Promise<void>((resolve) => {
    control.on('message', (message: EngineToShard) => {
      if (message.type === 'faults') context.setFaults(message.set);
      else if (message.type === 'stop') resolve();
    });
  });
  await stopped;

  // Drain: stop accepting, close idle keep-alive connections, let the rest finish for a while.
  for (const server of servers) {
    server.close();
    if ('closeIdleConnections' in server) (server as unknown as { closeIdleConnections(): void }).closeIdleConnections();
  }
  const deadline = Date.now() + config.drainTimeoutMs;
  const nativeOpen = () => context.fastPath?.openCount ?? 0;
  while ((context.openSockets.size > 0 || nativeOpen() > 0) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    context.fastPath?.collect();
  }
  const cutConnections = context.openSockets.size + nativeOpen();
  context.cutting = true;
  for (const socket of context.openSockets) socket.destroy();
  await context.fastPath?.closeAll();
  // Let the cut exchanges end (a relay ends once both of its sockets have closed, a few loop
  // turns after destroy()) so that their bytes and durations are in the last report.
  const recordBy = Date.now() + 500;
  do await new Promise((resolve) => setTimeout(resolve, 1));
  while (context.openExchanges > 0 && Date.now() < recordBy);
  clearInterval(statsTimer);
  uncontain();
  wheel.close();
  const unshipped = exchangeLog.close();
  logFinishedExchanges(log, unshipped.records);
  log.debug(`stopped${cutConnections > 0 ? `, ${cutConnections} connection(s) cut after the drain time` : ''}`);
  return {
    shardId,
    cutConnections,
    finalStats: stats.takeDelta(),
    finalExchanges: shipsRecords ? unshipped : undefined,
    finalLogs: log.close(),
  };
}
