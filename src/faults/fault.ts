// The one small interface every fault implements.
//
// A proxied connection (a TCP mapping, a CONNECT tunnel, or one HTTP exchange) moves bytes in
// two flows: `toUpstream` (what the client sends) and `toClient` (what the upstream answers).
// A fault is configured with a side (the socket it sits on) and a direction (reading from or
// writing to that socket); together they name the flows it touches:
//
//   side=client direction=ingress  → toUpstream (bytes read from the client)
//   side=server direction=egress   → toUpstream (bytes written to the upstream)
//   side=server direction=ingress  → toClient   (bytes read from the upstream)
//   side=client direction=egress   → toClient   (bytes written to the client)
//
// For each flow of each connection a fault builds one `FlowStage`. The pipeline (src/proxy/pump.ts)
// owns buffering, ordering, backpressure and closing; a stage only decides *when* a chunk that is
// ready may move on. Stages never see sockets.
import type { Direction, FaultKind, FaultSpec, Side } from '../config/types';
import type { Random } from './random';

export type Flow = 'toUpstream' | 'toClient';

export interface FlowStage {
  readonly kind: FaultKind;
  /**
   * A unit of data became available to this stage at `readyAt` (ms, same clock as the timer
   * wheel). `size` is its length in bytes; 0 stands for an HTTP message head.
   * Returns the time it may continue (≥ readyAt; Infinity = never).
   */
  chunkReleaseTime(size: number, readyAt: number): number;
  /** The end of the flow (FIN / end of an HTTP body) is ready at `readyAt`: when may it continue? */
  endReleaseTime?(readyAt: number): number;
}

/** What a stage may use: its own random stream and a way to report what it did. */
export interface StageContext {
  random: Random;
  /** Report that the fault acted, with the delay it injected in milliseconds. */
  applied(kind: FaultKind, injectedMs: number): void;
}

/** One file per fault exports one of these. */
export interface FaultDefinition<S extends FaultSpec = FaultSpec> {
  readonly kind: S['kind'];
  /** Build this fault's stage for one flow of one connection, or undefined if it does not touch that flow. */
  createStage(spec: S, flow: Flow, context: StageContext): FlowStage | undefined;
  /** One line for the prelude, e.g. `latency normal(mean 300 ms) on server ingress`. */
  describe(spec: S): string;
}

/** The flows a (side, direction) pair touches; see the table at the top of this file. */
export function flowsOf(side: Side, direction: Direction): Flow[] {
  const reads: Flow = side === 'client' ? 'toUpstream' : 'toClient';
  const writes: Flow = side === 'client' ? 'toClient' : 'toUpstream';
  if (direction === 'ingress') return [reads];
  if (direction === 'egress') return [writes];
  return [reads, writes];
}

/**
 * Order of stages inside a flow: the stage nearest to where bytes enter the proxy runs first
 * (for toUpstream the client-side ingress stage, then the server-side egress stage).
 */
export function entryRank(side: Side, flow: Flow): number {
  const entersHere = (flow === 'toUpstream' && side === 'client') || (flow === 'toClient' && side === 'server');
  return entersHere ? 0 : 1;
}
