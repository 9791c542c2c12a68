// Slicer: cut every data chunk of a flow into small slices sent one `delay` apart, so the peer
// sees many short reads (toxiproxy's "slicer" toxic). Useful to shake out parsers that assume
// a message arrives in one read.
//
// Slice sizes are uniform in [average − variation, average + variation] (at least 1 byte).
// Consecutive slices of a flow are `delay` apart even across chunks, the way a peer writing
// slice after slice would send them; data arriving after a quiet spell starts at once.
import type { SlicerFaultSpec } from '../config/types';
import { formatDuration } from '../config/duration';
import {
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type FlowUnit,
  type Forward,
  type StageContext,
  touchesFlow,
} from './fault';
import type { Random } from './random';

/** Draws slice sizes in [average − variation, average + variation], never below 1 byte. */
export function sliceSizeSampler(averageSize: number, sizeVariation: number, random: Random): () => number {
  const smallest = averageSize - sizeVariation;
  const choices = 2 * sizeVariation + 1;
  return () => Math.max(1, smallest + Math.floor(random.next() * choices));
}

class SlicerStage implements FlowStage {
  readonly kind = 'slicer' as const;
  private active = true;
  private reported = false;
  /** Earliest time the next slice may leave: one delay after the previous slice. */
  private nextSliceAt = -Infinity;

  constructor(
    private readonly nextSize: () => number,
    private readonly delayMs: number,
    private readonly context: StageContext,
  ) {}

  accept(unit: FlowUnit, at: number, next: Forward): void {
    if (unit.type !== 'data' || !this.active) {
      next(unit, at);
      return;
    }
    const { chunk } = unit;
    let releaseAt = Math.max(at, this.nextSliceAt);
    // Counted once per flow, the first time a chunk is actually cut or held back.
    if (!this.reported && releaseAt > at) this.report();
    let offset = 0;
    while (offset < chunk.length) {
      const slice = chunk.subarray(offset, offset + this.nextSize());
      offset += slice.length;
      if (!this.reported && slice.length < chunk.length) this.report();
      next({ type: 'data', chunk: slice }, releaseAt);
      this.nextSliceAt = releaseAt + this.delayMs;
      releaseAt = this.nextSliceAt;
    }
  }

  deactivate(): void {
    this.active = false;
  }

  private report(): void {
    this.reported = true;
    this.context.applied('slicer', 0);
  }
}

export const slicerFault: FaultDefinition<SlicerFaultSpec> = {
  kind: 'slicer',
  probability: (spec) => spec.probability,
  createStage(spec: SlicerFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    if (!touchesFlow(spec, flow)) return undefined;
    const sizes = sliceSizeSampler(spec.averageSize, spec.sizeVariation, context.random);
    return new SlicerStage(sizes, spec.delayMs, context);
  },
  describe(spec: SlicerFaultSpec): string {
    const size = spec.sizeVariation > 0 ? `${spec.averageSize}±${spec.sizeVariation}` : `${spec.averageSize}`;
    const chance = spec.probability < 1 ? `, probability ${spec.probability}` : '';
    return `slicer ${size} byte slices ${formatDuration(spec.delayMs)} apart, ${spec.side} side, ${spec.direction}${chance}`;
  },
};
