// Jitter: now and then, hold one unit of a flow back by a random amount.
//
// The frequency is a rate (the original used it as a per-read probability, so its default of
// 5 meant "every read"). Rule, per flow of each connection or HTTP exchange: time is cut into
// windows of 1/frequency seconds, the first starting when the flow's first unit arrives; the
// first unit (data chunk or HTTP head/trailers marker) ready in a window is delayed by a draw
// uniform in [0, amplitude) ms, the other units of that window are not. With continuous traffic
// that is exactly `frequency` hits per second; with sparse traffic, fewer (at most one per
// window, none in an empty window). Units after a delayed one queue behind it (the pump keeps
// order), as a stalled packet holds up a TCP stream. The end of the flow is never a hit.
import type { JitterFaultSpec } from '../config/types';
import { DelayStage, type FaultDefinition, type Flow, type FlowStage, type StageContext, touchesFlow } from './fault';

export class JitterStage extends DelayStage {
  readonly kind = 'jitter' as const;
  private readonly windowMs: number;
  private firstArrival: number | undefined;
  private lastHitWindow = -1;
  private active = true;

  constructor(
    private readonly amplitudeMs: number,
    frequencyHz: number,
    private readonly context: StageContext,
  ) {
    super();
    this.windowMs = 1000 / frequencyHz;
  }

  deactivate(): void {
    this.active = false;
  }

  protected delayFor(_size: number, at: number): number {
    if (!this.active) return 0;
    this.firstArrival ??= at;
    // A stage ahead may hand over a unit with an earlier time than the previous one: such a
    // unit belongs to a window already served and is not a hit.
    const window = Math.floor((at - this.firstArrival) / this.windowMs);
    if (window <= this.lastHitWindow) return 0;
    this.lastHitWindow = window;
    const delay = this.context.random.next() * this.amplitudeMs;
    this.context.applied('jitter', delay);
    return delay;
  }
}

export const jitterFault: FaultDefinition<JitterFaultSpec> = {
  kind: 'jitter',
  createStage(spec: JitterFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    // An amplitude of 0 could only ever delay by 0: no stage, no effect, nothing counted.
    if (spec.amplitudeMs <= 0 || !touchesFlow(spec, flow)) return undefined;
    return new JitterStage(spec.amplitudeMs, spec.frequencyHz, context);
  },
  describe(spec: JitterFaultSpec): string {
    return `jitter up to ${spec.amplitudeMs} ms, at most ${spec.frequencyHz} times/s per flow, ${spec.side} side, ${spec.direction}`;
  },
};
