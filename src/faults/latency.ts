// Latency: delay data by a sampled amount, measured from when the data is there.
// Once per connection/exchange (the first unit of each flow; later units queue behind it) or,
// with --latency-per-read-write, a fresh delay for every chunk.
import type { LatencyFaultSpec } from '../config/types';
import { DelayStage, type FaultDefinition, type Flow, type FlowStage, type StageContext, touchesFlow } from './fault';
import { createLatencySampler, describeLatencySampling } from './latency-sampler';

class LatencyStage extends DelayStage {
  readonly kind = 'latency' as const;
  private delayedOnce = false;

  constructor(
    private readonly perReadWrite: boolean,
    private readonly sample: () => number,
    private readonly context: StageContext,
  ) {
    super();
  }

  protected delayFor(): number {
    if (!this.perReadWrite && this.delayedOnce) return 0;
    this.delayedOnce = true;
    const delay = this.sample();
    this.context.applied('latency', delay);
    return delay;
  }
}

export const latencyFault: FaultDefinition<LatencyFaultSpec> = {
  kind: 'latency',
  createStage(spec: LatencyFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    if (!touchesFlow(spec, flow)) return undefined;
    return new LatencyStage(spec.perReadWrite, createLatencySampler(spec, context.random), context);
  },
  describe(spec: LatencyFaultSpec): string {
    const mode = spec.perReadWrite ? 'every read/write' : 'once per connection or exchange';
    return `latency ${describeLatencySampling(spec)}, ${spec.side} side, ${spec.direction}, ${mode}`;
  },
};
