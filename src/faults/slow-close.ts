// Slow-close: the end of a flow (a FIN, or the end of an HTTP body) is held back for a while.
// Data ahead of it is not delayed; only the close is, like a peer that lingers before closing.
import { formatDuration } from '../config/duration';
import type { SlowCloseFaultSpec } from '../config/types';
import {
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type FlowUnit,
  type Forward,
  type StageContext,
  touchesFlow,
} from './fault';

class SlowCloseStage implements FlowStage {
  readonly kind = 'slow-close' as const;
  private active = true;

  constructor(
    private readonly delayMs: number,
    private readonly context: StageContext,
  ) {}

  accept(unit: FlowUnit, at: number, next: Forward): void {
    if (unit.type !== 'end' || !this.active) {
      next(unit, at);
      return;
    }
    this.context.applied('slow-close', this.delayMs);
    next(unit, at + this.delayMs);
  }

  deactivate(): void {
    this.active = false;
  }
}

export const slowCloseFault: FaultDefinition<SlowCloseFaultSpec> = {
  kind: 'slow-close',
  probability: (spec) => spec.probability,
  createStage(spec: SlowCloseFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    return touchesFlow(spec, flow) ? new SlowCloseStage(spec.delayMs, context) : undefined;
  },
  describe(spec: SlowCloseFaultSpec): string {
    return (
      `slow-close: end of stream held back ${formatDuration(spec.delayMs)}, ${spec.side} side, ${spec.direction}, ` +
      `probability ${spec.probability} per connection`
    );
  },
};
