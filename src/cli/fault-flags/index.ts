// Every fault `run` can configure from flags, in help and pipeline order.
// Later faults (bandwidth, jitter, packet loss, ...) add one file each and one entry here.

import type { FaultFlagGroup } from './fault-flag-group';
import { latencyFlags } from './latency';

export const faultFlagGroups: readonly FaultFlagGroup[] = [
  latencyFlags,
  // bandwidth + slicer go here
  // jitter + packet-loss go here
  // blackhole + http-response + dns go here
  // reset-peer + slow-close + limit-data + timeout go here
];
