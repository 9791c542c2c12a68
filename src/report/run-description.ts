// The "what was run" part of a report: listeners, upstream filter, faults and their schedule.
import type { RunConfig } from '../config/types';
import type { ListenPlan } from '../engine/listeners';
import { describeFault } from '../faults/registry';
import { hostPort } from '../ui/format';
import type { FaultInfo, ListenerInfo, UpstreamFilter } from './report-document';

export function listenersOf(config: RunConfig, plan: ListenPlan): ListenerInfo[] {
  return plan.points.map((point): ListenerInfo => {
    const address = hostPort(point.host, point.port);
    if (point.role.kind === 'http-proxy') return { kind: 'http-proxy', address, remote: null, remoteTls: false };
    if (point.role.kind === 'stealth') {
      // Relayed like a TCP mapping, to whatever each captured connection was headed for.
      return { kind: 'tcp-mapping', address, remote: `original destination (stealth, ${config.stealth?.processName}*)`, remoteTls: false };
    }
    const mapping = config.mappings[point.role.mappingIndex];
    const service = mapping.listenProtocol === 'http' || mapping.listenProtocol === 'https';
    return {
      kind: service ? 'http-service' : 'tcp-mapping',
      address,
      remote: hostPort(mapping.remote.host, mapping.remote.port),
      remoteTls: mapping.remoteTls,
    };
  });
}

export function upstreamFilterOf(config: RunConfig): UpstreamFilter {
  if (config.upstreams.length === 0) return { mode: 'none', entries: [] };
  const mode = config.upstreams.some((u) => u.kind === 'any') ? 'all' : 'listed';
  return { mode, entries: [...config.upstreamsText] };
}

export function faultsOf(config: RunConfig): FaultInfo[] {
  return config.faults.map((fault) => {
    const { kind, ...parameters } = fault.spec;
    return {
      id: fault.id,
      kind,
      description: describeFault(fault.spec),
      parameters,
      schedule: fault.schedule.map((w) => ({ startMs: w.startMs, endMs: w.endMs ?? null })),
    };
  });
}
