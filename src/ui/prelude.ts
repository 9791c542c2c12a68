// What `fault run` prints once it listens: where, how to use it, which faults and when, how
// many shards. Test helpers parse the `HTTP proxy    http://HOST:PORT`, `TCP mapping   HOST:PORT =>`
// and `Running for|until` lines: keep those shapes.
import type { RunConfig } from '../config/types';
import type { ListenPlan } from '../engine/listeners';
import { describeFault } from '../faults/registry';
import { listensOnLoopback, outsideInitNetns } from '../stealth/stealth';
import { type Paint, noColour } from './ansi';
import { formatDuration, hostPort } from './format';
import { openEndedSpan, renderTimeline } from './timeline';

export interface PreludeInput {
  config: RunConfig;
  plan: ListenPlan;
  shards: number;
  seed: number;
  /** Port the metrics server got (the configured one may be 0). */
  metricsPort?: number;
}

export interface PreludeOptions {
  paint?: Paint;
  /** Width available for the schedule timeline. */
  width?: number;
}

/** Values start in this column, after a two-space indent and the label. */
const LABEL_WIDTH = 15;

function describeWindows(windows: RunConfig['faults'][number]['schedule']): string {
  return windows
    .map((w) => `${formatDuration(w.startMs)}→${w.endMs === undefined ? 'end' : formatDuration(w.endMs)}`)
    .join(', ');
}

export function preludeLines(input: PreludeInput, options: PreludeOptions = {}): string[] {
  const { config, plan, shards, seed } = input;
  const paint = options.paint ?? noColour;
  const label = (text: string) => paint(`  ${text}`.padEnd(LABEL_WIDTH), 'bold');
  const hint = (text: string) => `${' '.repeat(LABEL_WIDTH + 1)}${paint(text, 'dim')}`;
  const lines: string[] = [];
  lines.push(`${paint('fault', 'bold')} — ${shards} shard${shards === 1 ? '' : 's'}, seed ${seed}`, '');

  for (const point of plan.points) {
    const address = hostPort(point.requested.host === point.host ? point.host : point.requested.host, point.port);
    if (point.role.kind === 'http-proxy') {
      lines.push(`${label('HTTP proxy')} http://${address}  ${paint('(forward proxy and CONNECT tunnels)', 'dim')}`);
      lines.push(hint(`export HTTP_PROXY=http://${address} HTTPS_PROXY=http://${address}`));
      lines.push(hint(`or per command: curl -x http://${address} http://…`));
      if (config.upstreams.length === 0) {
        lines.push(hint('no --upstream given: every request is relayed untouched (passthrough)'));
      } else if (config.upstreams.some((u) => u.kind === 'any')) {
        lines.push(hint('faults apply to: all hosts'));
      } else {
        lines.push(hint(`faults apply to: ${config.upstreamsText.join(', ')} (others pass through)`));
      }
    } else if (point.role.kind === 'stealth') {
      const name = config.stealth?.processName ?? '';
      lines.push(`${label('Stealth')} ${address} <= TCP connects of processes named ${name}*  ${paint('(eBPF capture)', 'dim')}`);
      lines.push(hint(`their IPv4 TCP connections are redirected here and relayed to where they were headed`));
      if (config.stealth?.cgroupPath) lines.push(hint(`programs attached to cgroup ${config.stealth.cgroupPath}`));
      if (config.stealth?.proxyIp !== undefined && listensOnLoopback(config.stealth.proxyIp)) {
        lines.push(hint('only processes in this network namespace are captured (the listener is on loopback)'));
        if (outsideInitNetns()) {
          lines.push(paint('  note: this is not the host\'s network namespace: host processes are not captured (run the container with --network host)', 'yellow'));
        }
      }
    } else {
      const mapping = config.mappings[point.role.mappingIndex];
      const remote = `${hostPort(mapping.remote.host, mapping.remote.port)}${mapping.remoteTls ? ' (TLS)' : ''}`;
      const kind = mapping.listenProtocol === 'http' || mapping.listenProtocol === 'https' ? 'HTTP service' : 'TCP mapping';
      lines.push(`${label(kind)} ${address} => ${remote}`);
    }
  }
  if (input.metricsPort !== undefined && config.metricsAddress) {
    lines.push(`${label('Metrics')} http://${hostPort(config.metricsAddress.host, input.metricsPort)}/metrics`);
  }
  if (config.reportPath !== undefined) {
    lines.push(`${label('Report')} ${config.reportPath} ${paint('(written when the run ends)', 'dim')}`);
  }

  lines.push('');
  if (config.faults.length === 0) {
    lines.push('  No faults configured.');
  } else {
    lines.push('  Faults:');
    for (const fault of config.faults) {
      const when = fault.schedule.length ? `  ${paint(`[scheduled: ${describeWindows(fault.schedule)}]`, 'yellow')}` : '';
      lines.push(`    - ${describeFault(fault.spec)}${when}`);
    }
  }
  lines.push(...scheduleLines(config, paint, options.width ?? 80));
  lines.push('');
  lines.push(
    config.durationMs === undefined
      ? '  Running until Ctrl-C (or SIGTERM).'
      : `  Running for ${formatDuration(config.durationMs)} (Ctrl-C to stop earlier).`,
  );
  return lines;
}

/** The schedule drawn over the run, one lane per scheduled fault (the live view animates the same picture). */
function scheduleLines(config: RunConfig, paint: Paint, width: number): string[] {
  const scheduled = config.faults.filter((f) => f.schedule.length > 0);
  if (scheduled.length === 0) return [];
  const spanMs = config.durationMs ?? openEndedSpan(scheduled.flatMap((f) => f.schedule), 0);
  const lanes = scheduled.map((f) => ({ label: `    ${f.spec.kind}`, windows: f.schedule }));
  const labelWidth = Math.max(LABEL_WIDTH, ...lanes.map((l) => l.label.length));
  const suffix = `0s → ${formatDuration(spanMs)}`;
  return [
    '',
    ...renderTimeline({ spanMs, progressLabel: paint('  Schedule', 'bold'), progressSuffix: suffix, lanes }, { labelWidth, width }, paint),
  ];
}
