// Blackhole: the selected flow(s) of a connection vanish. Data, markers (an HTTP head) and the
// end (FIN) are swallowed and nothing is sent back in their place, while the connection stays
// open: no FIN, no RST. On an HTTP exchange the request is simply never answered (server ingress
// swallows the response head; client ingress swallows the request head, so the upstream is never
// contacted).
//
// `abort` units pass through: they are another fault's decision to tear the connection down,
// not traffic, and a blackhole must not keep the proxy from closing a connection.
//
// When the schedule window closes on an open connection, that connection is RESET: continuing
// it would deliver a stream with a hole in it (or an HTTP response after a request that had
// been swallowed), while a reset makes clients reconnect cleanly.
import type { BlackholeFaultSpec } from '../config/types';
import {
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type FlowUnit,
  type Forward,
  type StageContext,
  flowsOf,
  touchesFlow,
} from './fault';

/** Connections whose blackhole was already counted, so `direction both` counts once. */
const countedConnections = new WeakSet<StageContext>();

class BlackholeStage implements FlowStage {
  readonly kind = 'blackhole' as const;

  constructor(private readonly context: StageContext) {}

  accept(unit: FlowUnit, at: number, next: Forward): void {
    if (unit.type === 'abort') {
      next(unit, at);
      return;
    }
    if (!countedConnections.has(this.context)) {
      countedConnections.add(this.context);
      this.context.applied('blackhole', 0);
    }
  }

  deactivate(): void {
    this.context.connection.reset();
  }
}

export const blackholeFault: FaultDefinition<BlackholeFaultSpec> = {
  kind: 'blackhole',
  createStage(spec: BlackholeFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    return touchesFlow(spec, flow) ? new BlackholeStage(context) : undefined;
  },
  describe(spec: BlackholeFaultSpec): string {
    const swallowed = flowsOf(spec.side, spec.direction)
      .map((flow) => (flow === 'toClient' ? "the upstream's replies" : "the client's requests"))
      .join(' and ');
    return `blackhole, ${spec.side} side, ${spec.direction}: ${swallowed} vanish, connections stay open`;
  },
};
