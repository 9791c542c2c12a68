// The supervisor of a `fault run`: opens the listeners, starts the shards, runs the fault
// schedule, merges statistics, and stops everything on --duration, SIGINT or SIGTERM with a
// short drain, then prints the summary.
import { randomInt } from 'node:crypto';
import type { LoggingConfig, RunConfig } from '../config/types';
import { StatsAggregate } from '../stats/aggregate';
import { type MetricsServer, startMetricsServer } from '../metrics/metrics-server';
import { RequestTally } from '../metrics/request-tally';
import type { Telemetry } from '../telemetry/telemetry';
import { writeReport } from '../report/write-report';
import type { ExchangeRecord } from '../stats/exchange-record';
import { createRunView } from '../ui/run-view';
import { FaultTimeline } from './fault-timeline';
import { ListenError, type ListenPlan, openListeners } from './listeners';
import { createLogger } from './logger';
import { loadNative } from './native';
import { ShardSupervisor } from './shard-supervisor';
import { attachStealth, detachStealth, listensOnLoopback, resolveStealth } from '../stealth/stealth';

/** Most exchange records a report keeps (about 200 bytes each in memory). */
const MAX_REPORT_RECORDS = 1_000_000;

/** How often the live statistics are sampled and the view refreshed. */
const TICK_MS = 1000;

export async function runEngine(config: RunConfig, logging: LoggingConfig): Promise<number> {
  const log = createLogger(logging);
  const startedAt = Date.now();
  let plan: ListenPlan;
  try {
    config = resolveStealth(config);
    plan = await openListeners(config, config.workers);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    return 1;
  }
  const stealthPoint = plan.points.find((p) => p.role.kind === 'stealth');
  if (config.stealth?.proxyIp !== undefined && config.stealth.cgroupPath !== undefined && stealthPoint) {
    // The main thread owns the links: they go with the process (even on SIGKILL), not with a shard.
    try {
      const attached = attachStealth({ ...config.stealth, proxyIp: config.stealth.proxyIp, cgroupPath: config.stealth.cgroupPath }, stealthPoint.port);
      process.once('exit', detachStealth);
      log.info(`stealth: attached ${attached.programs.join(', ')} to ${config.stealth.cgroupPath}`);
      if (listensOnLoopback(config.stealth.proxyIp) && !attached.scopedToNetns) {
        process.stderr.write(
          'warning: this kernel cannot scope stealth capture to fault\'s network namespace (no SO_NETNS_COOKIE, Linux < 5.14): ' +
            'captured processes in other namespaces will fail to connect\n',
        );
      }
    } catch (error) {
      process.stderr.write(`error: ${(error as Error).message}\n`);
      const native = loadNative();
      for (const fd of plan.perShard.flat()) if ('fd' in fd && native.ok) native.addon.closeFd(fd.fd);
      await log.close();
      return 1;
    }
  }
  if (plan.fallbackReason && config.workers > 1) {
    process.stderr.write(
      `warning: running one shard instead of ${config.workers}: SO_REUSEPORT listeners need the native addon (${plan.fallbackReason})\n`,
    );
  }

  const stats = new StatsAggregate();
  const requests = new RequestTally();
  let telemetry: Telemetry | undefined;
  const view = createRunView(config);
  const records: ExchangeRecord[] = [];
  let droppedRecords = 0;
  const seed = config.seed ?? randomInt(0, 2 ** 32);
  let runStartedAt = Date.now();
  const timeline = new FaultTimeline(config.faults, (set) => {
    supervisor.broadcast(set);
    view.faultsChanged(set.faults, Date.now() - runStartedAt);
  });
  const supervisor = new ShardSupervisor(config, plan, timeline.initialSet, seed, {
    onStats: (delta) => stats.merge(delta),
    onExchanges: (batch, dropped) => {
      requests.add(batch, dropped);
      telemetry?.exchanges(batch);
      view.exchanges(batch, dropped);
      if (config.reportPath !== undefined) {
        // Bounded: a report of a long, busy run keeps its first records and counts the rest.
        const room = Math.max(0, MAX_REPORT_RECORDS - records.length);
        records.push(...batch.slice(0, room));
        droppedRecords += dropped + Math.max(0, batch.length - room);
      }
    },
    onContainedError: (shardId, message) =>
      process.stderr.write(`warning: shard ${shardId}: unexpected error in one exchange (it keeps serving): ${message}\n`),
    onShardCrash: (shardId, error) => {
      process.stderr.write(`warning: shard ${shardId} crashed (${error.message}); restarting it\n`);
      log.error(`shard ${shardId} crashed: ${error.stack ?? error.message}`);
    },
    shardLogThreshold: log.threshold,
    onShardLogs: (shardId, batch) => log.shardBatch(shardId, batch),
  });

  try {
    await supervisor.start();
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    // Node's own listen errors name the address ("listen EADDRINUSE: address already in use 127.0.0.1:3180").
    const message = err instanceof ListenError ? err.message : err.message.replace(/^listen EADDRINUSE: /, '');
    process.stderr.write(`error: cannot start the proxy: ${message}\n`);
    log.error(`cannot start the proxy: ${message}`);
    await supervisor.stop().catch(() => undefined);
    await log.close();
    return 1;
  }
  let metrics: MetricsServer | undefined;
  if (config.metricsAddress) {
    try {
      metrics = await startMetricsServer(config.metricsAddress, stats, { requests, shards: supervisor.shardCount });
      log.info(`serving Prometheus metrics on port ${metrics.port}`);
    } catch (error) {
      process.stderr.write(`error: cannot serve metrics: ${(error as Error).message}\n`);
      log.error(`cannot serve metrics: ${(error as Error).message}`);
      await supervisor.stop().catch(() => undefined);
      await log.close();
      return 1;
    }
  }
  if (config.otel) {
    // Loaded only when asked for: the OpenTelemetry SDK takes a while to load.
    const { startTelemetry } = await import('../telemetry/telemetry');
    telemetry = startTelemetry({ sources: () => ({ stats, requests, shards: supervisor.shardCount }), log });
  }
  runStartedAt = Date.now();
  // Signal handlers go in before the prelude says we run: a stop right after it must drain.
  const stopped = waitForStop(config.durationMs);
  timeline.start();
  log.info(`listening with ${supervisor.shardCount} shard(s), seed ${seed}`);
  view.started({ config, plan, shards: supervisor.shardCount, seed, startedAt: runStartedAt, metricsPort: metrics?.port });
  const ticker = setInterval(() => view.tick(stats.sample(Date.now() - runStartedAt), stats), TICK_MS);

  const reason = await stopped;
  log.info(`stopping: ${reason}`);
  view.stopping(reason);
  timeline.stop();
  // New connects of captured processes go direct from now on; open ones drain as usual.
  detachStealth();
  const results = await supervisor.stop();
  clearInterval(ticker);
  stats.sample(Date.now() - runStartedAt);
  const cut = results.reduce((n, r) => n + r.cutConnections, 0);
  view.finished({ stats, reason, elapsedMs: Date.now() - startedAt, shards: supervisor.shardCount, cutConnections: cut });
  await metrics?.close();
  let exitCode = 0;
  if (config.reportPath !== undefined) {
    try {
      await writeReport(config.reportPath, {
        config, plan, shards: supervisor.shardCount, seed, startedAt: runStartedAt, endedAt: Date.now(), reason,
        stats, records, droppedRecords, cutConnections: cut,
      });
    } catch (error) {
      process.stderr.write(`error: cannot write the report ${config.reportPath}: ${(error as Error).message}\n`);
      exitCode = 1;
    }
  }
  await telemetry?.shutdown();
  await log.close();
  return exitCode;
}

/**
 * A signal this soon after the first is the same Ctrl-C reaching us twice (the terminal signals
 * the whole process group, and a wrapper such as `npm start` may forward it too), not a user
 * insisting.
 */
const REPEATED_SIGNAL_GRACE_MS = 1000;

/** Resolves with why the run ends: the duration elapsed, or a signal. A second signal exits at once. */
function waitForStop(durationMs: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    let stopping = false;
    let stoppedAt = 0;
    const stop = (reason: string) => {
      if (stopping) return;
      stopping = true;
      stoppedAt = Date.now();
      clearTimeout(timer);
      resolve(reason);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping && Date.now() - stoppedAt < REPEATED_SIGNAL_GRACE_MS) return;
      if (stopping) {
        process.stderr.write(`${signal} again: exiting without waiting for open connections\n`);
        process.exit(130);
      }
      stop(signal);
    };
    const timer = durationMs === undefined ? undefined : setTimeout(() => stop(`duration elapsed`), durationMs);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
