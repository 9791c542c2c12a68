// The fault-cost suite: the same fault configuration with no fault and with each fault on, at
// a setting that leaves the fault's own effect (delays, drops) out of the picture, so what is
// measured is the price of having the fault in the data path.
import type { Target } from './targets';

export type ListenerMode = 'tcp' | 'http';

export interface FaultCostCase {
  /** Also the id of its target, so measurements can be matched. */
  id: string;
  /** The fault's name, or 'none' for a baseline. */
  fault: string;
  /** The setting in a few words, for the table. */
  setting: string;
  mode: ListenerMode;
  workers: number;
  /** The fault's `fault run` flags, verbatim (listener and workers come from the mode). */
  flags: string[];
  /** The no-fault case this one is compared with; absent for the baselines themselves. */
  baselineId?: string;
  /** When the case is not expected to cost about nothing, what is expected instead. */
  expectation?: string;
}

export const FAULT_COST_WORKERS = 2;

/**
 * The 100-byte body the origin sends (see origin-server.ts), so that an http-response answer
 * carries as many body bytes as a forwarded one.
 */
const ORIGIN_BODY = 'ok '.repeat(33) + '\n';

const BASELINE_ID: Readonly<Record<ListenerMode, string>> = { tcp: 'cost-tcp-none', http: 'cost-http-none' };

/** Baseline first, then each fault, TCP mapping then HTTP forward proxy. */
export function faultCostCases(): FaultCostCase[] {
  const baseline = (mode: ListenerMode): FaultCostCase => ({
    id: BASELINE_ID[mode],
    fault: 'none',
    setting: 'baseline',
    mode,
    workers: FAULT_COST_WORKERS,
    flags: [],
  });
  const withFault = (mode: ListenerMode, name: string, fault: string, setting: string, flags: string[], expectation?: string): FaultCostCase => ({
    id: `cost-${mode}-${name}`,
    fault,
    setting,
    mode,
    workers: FAULT_COST_WORKERS,
    flags,
    baselineId: BASELINE_ID[mode],
    ...(expectation === undefined ? {} : { expectation }),
  });
  return [
    baseline('tcp'),
    // --latency-mean 0 is rejected for the normal distribution; 1 us still goes through the timer path.
    withFault('tcp', 'latency', 'latency', '0.001 ms per read/write', [
      '--with-latency',
      '--latency-mean',
      '0.001',
      '--latency-stddev',
      '0',
      '--latency-per-read-write',
    ]),
    // Amplitude 0 builds no stage at all; 0.01 ms keeps the stage with negligible delays.
    withFault('tcp', 'jitter', 'jitter', 'amplitude 0.01 ms, 1000 Hz', ['--with-jitter', '--jitter-amplitude', '0.01', '--jitter-frequency', '1000']),
    withFault('tcp', 'bandwidth', 'bandwidth', '10 GBps, never binding', ['--with-bandwidth', '--bandwidth-rate', '10', '--bandwidth-unit', 'GBps']),
    withFault('tcp', 'packet-loss', 'packet-loss', 'rate 0.0001, rto 1 ms', [
      '--with-packet-loss',
      '--packet-loss-rate',
      '0.0001',
      '--packet-loss-rto',
      '1ms',
    ]),
    withFault('tcp', 'slicer', 'slicer', '64 KiB slices, no delay', ['--with-slicer', '--slicer-average-size', '65536', '--slicer-delay', '0']),
    withFault('tcp', 'slow-close', 'slow-close', 'delay 0', ['--with-slow-close', '--slow-close-delay', '0']),
    withFault('tcp', 'limit-data', 'limit-data', '1e9 bytes, both directions', [
      '--with-limit-data',
      '--limit-data-bytes',
      '1000000000',
      '--limit-data-direction',
      'both',
    ]),
    withFault('tcp', 'reset-peer', 'reset-peer', 'probability 0', ['--with-reset-peer', '--reset-peer-probability', '0']),
    withFault('tcp', 'timeout', 'timeout', 'probability 0', ['--with-timeout', '--timeout-probability', '0']),
    withFault('tcp', 'blackhole', 'blackhole', "'start:1h', not active in the run", ['--with-blackhole', '--blackhole-sched', 'start:1h']),
    baseline('http'),
    withFault('http', 'http-response-p0', 'http-response', 'probability 0', ['--with-http-response', '--http-response-trigger-probability', '0']),
    // Status 200 and the origin's body, so the answer is as big as a forwarded one and counts as
    // a success for wrk and the readiness probe.
    withFault(
      'http',
      'http-response-p1',
      'http-response',
      'probability 1, 200 + same body',
      ['--with-http-response', '--http-response-trigger-probability', '1', '--http-response-status', '200', '--http-response-body', ORIGIN_BODY],
      'faster: the proxy answers without contacting the origin',
    ),
    // The origin is addressed by IP (127.0.0.1), which needs no lookup.
    withFault('http', 'dns', 'dns', 'rate 0, origin by IP', ['--with-dns', '--dns-rate', '0']),
  ];
}

export function faultCostLabel(entry: FaultCostCase): string {
  return `${entry.mode === 'tcp' ? 'TCP' : 'HTTP'} ${entry.fault}${entry.fault === 'none' ? '' : `, ${entry.setting}`}`;
}

/**
 * The measuring order within a round: the cases in order, with each baseline measured a second
 * time halfway through its faults when it has more than three. A baseline is the reference of
 * every row of its listener, so more samples of it make every ratio steadier.
 */
export function faultCostSchedule(cases: readonly FaultCostCase[]): Target[] {
  const order: Target[] = [];
  for (const entry of cases) {
    order.push(faultCostTarget(entry));
    const baseline = entry.baselineId === undefined ? undefined : cases.find((other) => other.id === entry.baselineId);
    if (baseline === undefined) continue;
    const faults = cases.filter((other) => other.baselineId === baseline.id);
    if (faults.length > 3 && faults.indexOf(entry) === Math.ceil(faults.length / 2) - 1) order.push(faultCostTarget(baseline));
  }
  return order;
}

export function faultCostTarget(entry: FaultCostCase): Target {
  return {
    id: entry.id,
    label: faultCostLabel(entry),
    kind: 'fault',
    fault: { mode: entry.mode, workers: entry.workers, faultFlags: entry.flags },
  };
}
