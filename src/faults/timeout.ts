// Timeout: the selected flow(s) go silent — every unit is swallowed, nothing is delivered — and
// the connection is closed (FIN, no reset) a set time after it opened; 0 never closes it, so it
// stalls until a peer gives up. Like toxiproxy's timeout toxic, the connection is also closed when
// the schedule switches the fault off after something was swallowed: letting bytes through again
// would hand the peer a stream with a hole in it.
import { formatDuration } from '../config/duration';
import type { TimeoutFaultSpec } from '../config/types';
import type { TimerHandle } from '../time/timer-wheel';
import {
  type ConnectionBehaviour,
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type FlowUnit,
  type Forward,
  type StageContext,
  touchesFlow,
} from './fault';

/** One connection's stall: shared by its stages, closes the connection when time is up. */
class ConnectionStall implements ConnectionBehaviour {
  active = true;
  private swallowedSomething = false;
  private readonly closeTimer: TimerHandle | undefined;

  constructor(
    afterMs: number,
    private readonly context: StageContext,
  ) {
    context.applied('timeout', 0);
    if (afterMs > 0) this.closeTimer = context.wheel.schedule(afterMs, () => context.connection.close());
  }

  swallow(): void {
    this.swallowedSomething = true;
  }

  deactivate(): void {
    if (!this.active) return;
    this.active = false;
    this.closeTimer?.cancel();
    if (this.swallowedSomething) this.context.connection.close();
  }

  dispose(): void {
    this.closeTimer?.cancel();
  }
}

// The stage context is created afresh for each connection and handed to both its stages and its
// connection-wide behaviour, so keying on it gives each connection exactly one stall.
const stalls = new WeakMap<StageContext, ConnectionStall>();

function stallOf(spec: TimeoutFaultSpec, context: StageContext): ConnectionStall {
  let stall = stalls.get(context);
  if (!stall) {
    stall = new ConnectionStall(spec.afterMs, context);
    stalls.set(context, stall);
  }
  return stall;
}

class TimeoutStage implements FlowStage {
  readonly kind = 'timeout' as const;

  constructor(private readonly stall: ConnectionStall) {}

  accept(unit: FlowUnit, at: number, next: Forward): void {
    // Another fault's decision to end the connection still goes through.
    if (!this.stall.active || unit.type === 'abort') next(unit, at);
    else this.stall.swallow();
  }
}

export const timeoutFault: FaultDefinition<TimeoutFaultSpec> = {
  kind: 'timeout',
  probability: (spec) => spec.probability,
  createStage(spec: TimeoutFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    return touchesFlow(spec, flow) ? new TimeoutStage(stallOf(spec, context)) : undefined;
  },
  startConnection: stallOf,
  describe(spec: TimeoutFaultSpec): string {
    const close = spec.afterMs === 0 ? 'never closed' : `closed after ${formatDuration(spec.afterMs)}`;
    return (
      `timeout: traffic stalls and the connection is ${close}, ${spec.side} side, ${spec.direction}, ` +
      `probability ${spec.probability} per connection`
    );
  },
};
