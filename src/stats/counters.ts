// The counters every shard keeps and the engine adds up. Plain numbers, so a delta is a
// structured-clone-friendly object.
import type { FaultKind } from '../config/types';

export interface Counters {
  /** TCP connections accepted on any listener. */
  connectionsAccepted: number;
  /** Connections closed (accepted - closed = open). */
  connectionsClosed: number;
  /** HTTP exchanges (forward, reverse, CONNECT) and TCP-mapping connections handled. */
  exchanges: number;
  /** Exchanges that went through the fault pipeline. */
  faulted: number;
  /** Exchanges relayed untouched because the destination is not in --upstream. */
  passthrough: number;
  /** Exchanges that ended in an error (upstream unreachable, reset, bad request...). */
  errors: number;
  bytesToUpstream: number;
  bytesToClient: number;
}

export type FaultCounts = Partial<Record<FaultKind, number>>;

export function zeroCounters(): Counters {
  return {
    connectionsAccepted: 0,
    connectionsClosed: 0,
    exchanges: 0,
    faulted: 0,
    passthrough: 0,
    errors: 0,
    bytesToUpstream: 0,
    bytesToClient: 0,
  };
}

export function addCounters(into: Counters, delta: Counters): void {
  for (const key of Object.keys(into) as Array<keyof Counters>) into[key] += delta[key];
}

export function addFaultCounts(into: FaultCounts, delta: FaultCounts): void {
  for (const [kind, n] of Object.entries(delta) as Array<[FaultKind, number]>) into[kind] = (into[kind] ?? 0) + n;
}
