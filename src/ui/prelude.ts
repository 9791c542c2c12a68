// What `fault run` prints once it listens: where, how to use it, which faults, how many shards.
import type { RunConfig } from '../config/types';
import type { ListenPlan } from '../engine/listeners';
import { describeFault } from '../faults/registry';
import { formatDuration, hostPort } from './format';

function describeWindows(windows: RunConfig['faults'][number]['schedule']): string {
  return windows
    .map((w) => `${formatDuration(w.startMs)}→${w.endMs === undefined ? 'end' : formatDuration(w.endMs)}`)
    .join(', ');
}

export function preludeLines(config: RunConfig, plan: ListenPlan, shards: number, seed: number): string[] {
  const lines: string[] = [];
  lines.push(`fault — ${shards} shard${shards === 1 ? '' : 's'}, seed ${seed}`, '');
  for (const point of plan.points) {
    const address = hostPort(point.requested.host === point.host ? point.host : point.requested.host, point.port);
    if (point.role.kind === 'http-proxy') {
      lines.push(`  HTTP proxy    http://${address}  (forward proxy and CONNECT tunnels)`);
      lines.push(`                export HTTP_PROXY=http://${address} HTTPS_PROXY=http://${address}`);
      if (config.upstreams.length === 0) {
        lines.push('                no --upstream given: every request is relayed untouched (passthrough)');
      } else if (config.upstreams.some((u) => u.kind === 'any')) {
        lines.push('                faults apply to: all hosts');
      } else {
        lines.push(`                faults apply to: ${config.upstreamsText.join(', ')}`);
      }
    } else {
      const mapping = config.mappings[point.role.mappingIndex];
      const remote = `${hostPort(mapping.remote.host, mapping.remote.port)}${mapping.remoteTls ? ' (TLS)' : ''}`;
      const kind = mapping.listenProtocol === 'http' || mapping.listenProtocol === 'https' ? 'HTTP service' : 'TCP mapping';
      lines.push(`  ${kind.padEnd(13)} ${address} => ${remote}`);
    }
  }
  lines.push('');
  if (config.faults.length === 0) {
    lines.push('  No faults configured.');
  } else {
    lines.push('  Faults:');
    for (const fault of config.faults) {
      const when = fault.schedule.length ? `  [scheduled: ${describeWindows(fault.schedule)}]` : '';
      lines.push(`    - ${describeFault(fault.spec)}${when}`);
    }
  }
  lines.push('');
  lines.push(
    config.durationMs === undefined
      ? '  Running until Ctrl-C (or SIGTERM).'
      : `  Running for ${formatDuration(config.durationMs)} (Ctrl-C to stop earlier).`,
  );
  return lines;
}

export function printPrelude(config: RunConfig, plan: ListenPlan, shards: number, seed: number): void {
  process.stdout.write(`${preludeLines(config, plan, shards, seed).join('\n')}\n`);
}
