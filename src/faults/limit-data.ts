// Limit-data: the connection is closed once a set number of bytes went through the selected
// flow(s). The chunk that crosses the limit is cut so that exactly that many bytes get through,
// then a plain close (FIN, no reset) ends the connection. Counting is per connection (per HTTP
// exchange); with direction=both, both flows of the connection draw from the same allowance.
import type { LimitDataFaultSpec } from '../config/types';
import {
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type FlowUnit,
  type Forward,
  type StageContext,
  touchesFlow,
} from './fault';

/** What is left of one connection's allowance, shared by the stages of its flows. */
class ByteAllowance {
  remaining: number;
  active = true;

  constructor(limit: number) {
    this.remaining = limit;
  }

  get exhausted(): boolean {
    return this.remaining <= 0;
  }
}

// The stage context is created afresh for each connection and handed to every stage of it, so
// keying on it gives each connection its own allowance and never shares one between connections.
const allowances = new WeakMap<StageContext, ByteAllowance>();

function allowanceOf(spec: LimitDataFaultSpec, context: StageContext): ByteAllowance {
  let allowance = allowances.get(context);
  if (!allowance) {
    allowance = new ByteAllowance(spec.bytes);
    allowances.set(context, allowance);
  }
  return allowance;
}

class LimitDataStage implements FlowStage {
  readonly kind = 'limit-data' as const;

  constructor(
    private readonly allowance: ByteAllowance,
    private readonly context: StageContext,
  ) {}

  accept(unit: FlowUnit, at: number, next: Forward): void {
    const allowance = this.allowance;
    if (!allowance.active) {
      next(unit, at);
      return;
    }
    // The close is already on its way: nothing more goes through.
    if (allowance.exhausted) return;
    if (unit.type !== 'data') {
      next(unit, at);
      return;
    }
    const size = unit.chunk.length;
    if (size < allowance.remaining) {
      allowance.remaining -= size;
      next(unit, at);
      return;
    }
    const allowed = allowance.remaining;
    allowance.remaining = 0;
    if (allowed > 0) next({ type: 'data', chunk: unit.chunk.subarray(0, allowed) }, at);
    this.context.applied('limit-data', 0);
    next({ type: 'abort', how: 'close' }, at);
  }

  deactivate(): void {
    // The schedule switched the fault off: stop counting, unless the close was already sent.
    if (!this.allowance.exhausted) this.allowance.active = false;
  }
}

export const limitDataFault: FaultDefinition<LimitDataFaultSpec> = {
  kind: 'limit-data',
  probability: (spec) => spec.probability,
  createStage(spec: LimitDataFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    if (!touchesFlow(spec, flow)) return undefined;
    return new LimitDataStage(allowanceOf(spec, context), context);
  },
  describe(spec: LimitDataFaultSpec): string {
    return (
      `limit-data: connection closed after ${spec.bytes} bytes, ${spec.side} side, ${spec.direction}, ` +
      `probability ${spec.probability} per connection`
    );
  },
};
