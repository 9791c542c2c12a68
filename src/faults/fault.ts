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
// For each flow of each connection a fault may build one `FlowStage`. The pump
// (src/proxy/pump.ts) owns buffering, ordering, backpressure and closing; a stage only decides
// what becomes of each unit that reaches it and when it may move on. Stages never see sockets.
// Faults that act on the whole connection (reset-peer) or on HTTP requests (http-response,
// dns) implement the optional hooks instead.
import type { Direction, FaultKind, FaultSpec, Side } from '../config/types';
import type { TimerWheel } from '../time/timer-wheel';
import type { Random } from './random';

export type Flow = 'toUpstream' | 'toClient';

/** What travels through a flow. */
export type FlowUnit =
  | { type: 'data'; chunk: Buffer }
  /** A zero-byte step that must happen in order with the data, e.g. writing an HTTP head. */
  | { type: 'marker'; run: () => void }
  /** The end of the flow: a FIN, or the end of an HTTP body. */
  | { type: 'end' }
  /** A fault ends the whole connection here: with a reset, or a plain close. */
  | { type: 'abort'; how: 'reset' | 'close' };

/** Hands a unit to the next stage (or the sink), ready at `at` (ms on the wheel's clock). */
export type Forward = (unit: FlowUnit, at: number) => void;

export interface FlowStage {
  readonly kind: FaultKind;
  /**
   * A unit is ready for this stage at `at`. Pass it on with `next` — as it is, later, split
   * into several units, or not at all (swallowed). Times passed to `next` must be ≥ `at`.
   * The pump keeps order: nothing leaves before what was forwarded ahead of it.
   */
  accept(unit: FlowUnit, at: number, next: Forward): void;
  /** The fault's schedule window closed while this connection is still open. */
  deactivate?(): void;
  /** The connection is over: cancel any timer the stage armed. */
  dispose?(): void;
}

/** What a connection offers to faults that act on it as a whole. */
export interface ConnectionControl {
  /** Tear the connection down with a reset towards both peers. */
  reset(): void;
  /** Close the connection without a reset. */
  close(): void;
}

/** What a fault gets when it is attached to one connection or exchange. */
export interface StageContext {
  random: Random;
  wheel: TimerWheel;
  connection: ConnectionControl;
  /** Report that the fault acted, with the delay it injected (0 when it is not a delay). */
  applied(kind: FaultKind, injectedMs: number): void;
}

/** A connection-wide behaviour started when the connection opens; `dispose` cancels it. */
export interface ConnectionBehaviour {
  dispose(): void;
  /** The fault's schedule window closed while the connection is open. */
  deactivate?(): void;
}

/** An answer the proxy gives instead of the upstream's. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** One file per fault exports one of these. */
export interface FaultDefinition<S extends FaultSpec = FaultSpec> {
  readonly kind: S['kind'];
  /**
   * The chance that this fault applies to a given connection or HTTP exchange (drawn once,
   * when it starts). undefined = always. At 0 the fault has no effect at all.
   */
  probability?(spec: S): number;
  /** This fault's stage for one flow, or undefined if it does not touch that flow. */
  createStage?(spec: S, flow: Flow, context: StageContext): FlowStage | undefined;
  /** Connection-wide behaviour (e.g. a reset after some time). */
  startConnection?(spec: S, context: StageContext): ConnectionBehaviour | undefined;
  /** HTTP exchanges only: answer without contacting the upstream. */
  answerHttp?(spec: S, context: StageContext): HttpAnswer | undefined;
  /** Resolving an upstream host name (HTTP forwarding, CONNECT): should it fail? */
  failsResolution?(spec: S, context: StageContext, host: string): boolean;
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

/** True when a fault configured with this side and direction touches `flow`. */
export function touchesFlow(spec: { side: Side; direction: Direction }, flow: Flow): boolean {
  return flowsOf(spec.side, spec.direction).includes(flow);
}

/**
 * Order of stages inside a flow: the stage nearest to where bytes enter the proxy runs first
 * (for toUpstream the client-side ingress stage, then the server-side egress stage).
 */
export function entryRank(side: Side, flow: Flow): number {
  const entersHere = (flow === 'toUpstream' && side === 'client') || (flow === 'toClient' && side === 'server');
  return entersHere ? 0 : 1;
}

/**
 * Base for stages that only delay data: subclasses say how long a chunk of `size` bytes ready
 * at `at` must wait (0 stands for an HTTP head); other units pass through.
 */
export abstract class DelayStage implements FlowStage {
  abstract readonly kind: FaultKind;
  protected abstract delayFor(size: number, at: number): number;

  accept(unit: FlowUnit, at: number, next: Forward): void {
    if (unit.type === 'data') next(unit, at + this.delayFor(unit.chunk.length, at));
    else if (unit.type === 'marker') next(unit, at + this.delayFor(0, at));
    else next(unit, at);
  }
}
