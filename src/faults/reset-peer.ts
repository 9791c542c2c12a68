// Reset-peer: the whole connection is torn down with a TCP RST towards both peers, a set time
// after it opened (a TCP mapping or CONNECT tunnel: when the proxy accepted it; an HTTP exchange:
// when the request arrived). 0 resets it straight away, before any byte is relayed.
import { formatDuration } from '../config/duration';
import type { ResetPeerFaultSpec } from '../config/types';
import type { ConnectionBehaviour, FaultDefinition, StageContext } from './fault';

function scheduleReset(spec: ResetPeerFaultSpec, context: StageContext): ConnectionBehaviour {
  // Always through the wheel, even at 0: the proxy is still setting the connection up when
  // faults are attached, so resetting synchronously would pull the socket from under it.
  const timer = context.wheel.schedule(spec.afterMs, () => {
    context.applied('reset-peer', 0);
    context.connection.reset();
  });
  return {
    dispose: () => timer.cancel(),
    // The schedule switched the fault off before the reset was due: the connection lives on.
    deactivate: () => timer.cancel(),
  };
}

export const resetPeerFault: FaultDefinition<ResetPeerFaultSpec> = {
  kind: 'reset-peer',
  probability: (spec) => spec.probability,
  startConnection: scheduleReset,
  describe(spec: ResetPeerFaultSpec): string {
    const when = spec.afterMs === 0 ? 'as soon as it opens' : `${formatDuration(spec.afterMs)} after it opens`;
    return `reset-peer: connection reset ${when}, probability ${spec.probability} per connection`;
  },
};
