// What is measured: the reference points and every fault configuration of the comparison.
import type { FaultSetup } from './fault-process';

export type Target =
  | { id: string; label: string; kind: 'direct' }
  /** An origin that waits the injected delay itself with setTimeout: the machine's timer floor. */
  | { id: string; label: string; kind: 'timer-floor'; delayMs: number }
  | { id: string; label: string; kind: 'haproxy' }
  /** The minimal node:http forward proxy (node-http-proxy.ts): node:http's own ceiling. */
  | { id: string; label: string; kind: 'node-http' }
  | { id: string; label: string; kind: 'fault'; fault: FaultSetup };

export const DIRECT_ID = 'direct';
export const TIMER_FLOOR_ID = 'timer-floor';
export const HAPROXY_ID = 'haproxy';
export const NODE_HTTP_ID = 'node-http-forward';

export function benchmarkTargets(latencyMs: number): Target[] {
  const fault = (mode: 'tcp' | 'http', workers: number, withLatency = false): Target => {
    const name = mode === 'tcp' ? 'TCP mapping' : 'HTTP forward';
    return withLatency
      ? {
          id: `fault-${mode}-w${workers}-latency`,
          label: `fault ${name}, ${workers}w, +${latencyMs} ms${mode === 'tcp' ? ' per read/write' : ''}`,
          kind: 'fault',
          fault: { mode, workers, latencyMs },
        }
      : { id: `fault-${mode}-w${workers}`, label: `fault ${name}, ${workers}w`, kind: 'fault', fault: { mode, workers } };
  };
  return [
    { id: DIRECT_ID, label: 'direct to origin', kind: 'direct' },
    { id: TIMER_FLOOR_ID, label: `direct to an origin that waits ${latencyMs} ms`, kind: 'timer-floor', delayMs: latencyMs },
    { id: HAPROXY_ID, label: 'haproxy tcp, 1 thread', kind: 'haproxy' },
    { id: NODE_HTTP_ID, label: 'node:http forward proxy, 1 thread', kind: 'node-http' },
    fault('tcp', 1),
    fault('tcp', 2),
    fault('http', 1),
    fault('http', 2),
    fault('tcp', 2, true),
    fault('http', 2, true),
  ];
}

/**
 * Whether a row is also compared with the node:http forward proxy: fault's HTTP forward proxy
 * at full load (the delayed row is capped by its delay, so a ratio would say nothing).
 */
export function comparedWithNodeHttp(target: Target): boolean {
  return target.kind === 'fault' && target.fault.mode === 'http' && target.fault.latencyMs === undefined && target.fault.faultFlags === undefined;
}

/** The delay a target injects, if any (then its latency is compared with direct + delay). */
export function injectedLatencyMs(target: Target): number | undefined {
  return target.kind === 'fault' ? target.fault.latencyMs : undefined;
}
