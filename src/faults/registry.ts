// Every fault kind the engine knows, and how a fault set becomes per-connection stages.
import type { FaultKind, FaultSpec } from '../config/types';
import { type FaultDefinition, type Flow, type FlowStage, type StageContext, entryRank } from './fault';
import { latencyFault } from './latency';

const definitions: { [K in FaultKind]: FaultDefinition<Extract<FaultSpec, { kind: K }>> } = {
  latency: latencyFault,
};

export function definitionOf<S extends FaultSpec>(spec: S): FaultDefinition<S> {
  return definitions[spec.kind as FaultKind] as unknown as FaultDefinition<S>;
}

export function describeFault(spec: FaultSpec): string {
  return definitionOf(spec).describe(spec);
}

/**
 * The stages of one flow of one connection, in pipeline order: faults on the side where the
 * bytes enter first, then in the order they were configured.
 */
export function buildFlowStages(faults: readonly FaultSpec[], flow: Flow, context: StageContext): FlowStage[] {
  const ranked: Array<{ rank: number; index: number; stage: FlowStage }> = [];
  faults.forEach((spec, index) => {
    const stage = definitionOf(spec).createStage(spec, flow, context);
    if (stage) ranked.push({ rank: 'side' in spec ? entryRank(spec.side, flow) : 0, index, stage });
  });
  ranked.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return ranked.map((r) => r.stage);
}
