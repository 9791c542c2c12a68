// Every fault kind the engine knows, and how the active faults attach to one connection or
// HTTP exchange.
import type { FaultKind, FaultSpec } from '../config/types';
import {
  type ConnectionBehaviour,
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type HttpAnswer,
  type StageContext,
  entryRank,
} from './fault';
import { latencyFault } from './latency';
import { bandwidthFault } from './bandwidth';
import { slicerFault } from './slicer';
import { jitterFault } from './jitter';
import { packetLossFault } from './packet-loss';
import { blackholeFault } from './blackhole';
import { httpResponseFault } from './http-response';
import { dnsFault } from './dns';
import { resetPeerFault } from './reset-peer';
import { slowCloseFault } from './slow-close';
import { limitDataFault } from './limit-data';
import { timeoutFault } from './timeout';

type Definitions = { [K in FaultKind]?: FaultDefinition<Extract<FaultSpec, { kind: K }>> };

// One line per fault; keep the imports above in the same order.
const definitions: Definitions = {
  latency: latencyFault,
  bandwidth: bandwidthFault,
  slicer: slicerFault,
  jitter: jitterFault,
  'packet-loss': packetLossFault,
  blackhole: blackholeFault,
  'http-response': httpResponseFault,
  dns: dnsFault,
  'reset-peer': resetPeerFault,
  'slow-close': slowCloseFault,
  'limit-data': limitDataFault,
  timeout: timeoutFault,
};

export function definitionOf<S extends FaultSpec>(spec: S): FaultDefinition<S> {
  const definition = definitions[spec.kind as FaultKind];
  if (!definition) throw new Error(`no implementation for the ${spec.kind} fault`);
  return definition as unknown as FaultDefinition<S>;
}

export function describeFault(spec: FaultSpec): string {
  return definitionOf(spec).describe(spec);
}

/** A fault in force, with the identity schedules use to switch it on and off. */
export interface ActiveFault {
  id: string;
  spec: FaultSpec;
}

/** The faults attached to one connection or HTTP exchange. */
export interface AttachedFaults {
  readonly stages: Readonly<Record<Flow, readonly FlowStage[]>>;
  /** True when no fault touches this connection at all. */
  readonly none: boolean;
  /** True when a fault acts on the byte flows or the connection (not only on HTTP requests). */
  readonly affectsStreams: boolean;
  /** What the faults did to this connection so far. */
  readonly tally: FaultTally;
  /** HTTP: the answer a fault gives instead of the upstream, if any. */
  httpAnswer(): HttpAnswer | undefined;
  /** Whether resolving this upstream host name must fail (IP literals never get here). */
  failsResolution(host: string): boolean;
  /** The schedule switched faults off: everything not in `activeIds` is told so. */
  deactivateAllBut(activeIds: ReadonlySet<string>): void;
  /** The connection is over. */
  dispose(): void;
}

/** The kinds of faults that acted on one connection, in order, and the delay they added. */
export interface FaultTally {
  readonly kinds: string[];
  readonly injectedMs: number;
}

export const NO_FAULTS: AttachedFaults = Object.freeze({
  stages: Object.freeze({ toUpstream: [], toClient: [] }),
  none: true,
  affectsStreams: false,
  tally: Object.freeze({ kinds: [], injectedMs: 0 }),
  httpAnswer: () => undefined,
  failsResolution: () => false,
  deactivateAllBut: () => undefined,
  dispose: () => undefined,
});

interface Attached {
  id: string;
  spec: FaultSpec;
  definition: FaultDefinition;
  stages: FlowStage[];
  behaviour?: ConnectionBehaviour;
  active: boolean;
}

/**
 * Attaches the active faults to a new connection: draws each fault's per-connection
 * probability once, builds its stages and starts its connection-wide behaviour. Stages of a
 * flow run in order: faults on the side where the bytes enter first, then as configured.
 */
export function attachFaults(faults: readonly ActiveFault[], shared: StageContext): AttachedFaults {
  const connectionFaults = new ConnectionFaults(shared);
  return connectionFaults.attach(faults) ? connectionFaults : NO_FAULTS;
}

type Ranked = Array<{ rank: number; index: number; stage: FlowStage }>;

/**
 * The faults of one connection, and the context their stages report to. A class, not an object
 * of closures: a proxy holding thousands of connections keeps one copy of these methods.
 */
class ConnectionFaults implements AttachedFaults, StageContext {
  stages: Readonly<Record<Flow, readonly FlowStage[]>> = NO_FAULTS.stages;
  readonly none = false;
  affectsStreams = false;
  readonly tally = { kinds: [] as string[], injectedMs: 0 };
  readonly random: StageContext['random'];
  readonly wheel: StageContext['wheel'];
  readonly connection: StageContext['connection'];
  private readonly attached: Attached[] = [];

  constructor(private readonly shared: StageContext) {
    this.random = shared.random;
    this.wheel = shared.wheel;
    this.connection = shared.connection;
  }

  /** Draws each fault's probability and builds what applies; false when nothing does. */
  attach(faults: readonly ActiveFault[]): boolean {
    const ranked: Record<Flow, Ranked> = { toUpstream: [], toClient: [] };
    faults.forEach(({ id, spec }, index) => {
      const definition = definitionOf(spec);
      const probability = definition.probability?.(spec);
      if (probability !== undefined && (probability <= 0 || (probability < 1 && this.random.next() >= probability))) return;
      const entry: Attached = { id, spec, definition, stages: [], active: true };
      for (const flow of ['toUpstream', 'toClient'] as const) {
        const stage = definition.createStage?.(spec, flow, this);
        if (!stage) continue;
        entry.stages.push(stage);
        ranked[flow].push({ rank: 'side' in spec ? entryRank(spec.side, flow) : 0, index, stage });
      }
      entry.behaviour = definition.startConnection?.(spec, this);
      this.attached.push(entry);
    });
    if (this.attached.length === 0) return false;
    const order = (list: Ranked) => list.sort((a, b) => a.rank - b.rank || a.index - b.index).map((r) => r.stage);
    this.stages = { toUpstream: order(ranked.toUpstream), toClient: order(ranked.toClient) };
    this.affectsStreams = this.attached.some((a) => a.stages.length > 0 || a.behaviour !== undefined);
    return true;
  }

  applied(kind: FaultKind, injectedMs: number): void {
    this.shared.applied(kind, injectedMs);
    if (!this.tally.kinds.includes(kind)) this.tally.kinds.push(kind);
    this.tally.injectedMs += injectedMs;
  }

  httpAnswer(): HttpAnswer | undefined {
    for (const a of this.attached) {
      const answer = a.active ? a.definition.answerHttp?.(a.spec, this) : undefined;
      if (answer) return answer;
    }
    return undefined;
  }

  failsResolution(host: string): boolean {
    return this.attached.some((a) => a.active && a.definition.failsResolution?.(a.spec, this, host) === true);
  }

  deactivateAllBut(activeIds: ReadonlySet<string>): void {
    for (const a of this.attached) {
      if (!a.active || activeIds.has(a.id)) continue;
      a.active = false;
      for (const stage of a.stages) stage.deactivate?.();
      a.behaviour?.deactivate?.();
    }
  }

  dispose(): void {
    for (const a of this.attached) {
      for (const stage of a.stages) stage.dispose?.();
      a.behaviour?.dispose();
    }
  }
}
