// Every fault `run` can configure from flags, in help and pipeline order.
// Later faults (bandwidth, jitter, packet loss, ...) add one file each and one entry here.

import type { FaultFlagGroup } from './fault-flag-group';
import { latencyFlags } from './latency';
import { bandwidthFlags } from './bandwidth';
import { slicerFlags } from './slicer';
import { jitterFlags } from './jitter';
import { packetLossFlags } from './packet-loss';
import { blackholeFlags } from './blackhole';
import { httpResponseFlags } from './http-response';
import { dnsFlags } from './dns';
import { resetPeerFlags } from './reset-peer';
import { slowCloseFlags } from './slow-close';
import { limitDataFlags } from './limit-data';
import { timeoutFlags } from './timeout';

export const faultFlagGroups: readonly FaultFlagGroup[] = [
  latencyFlags,
  bandwidthFlags,
  slicerFlags,
  // bandwidth + slicer go here
  jitterFlags,
  packetLossFlags,
  // jitter + packet-loss go here
  // blackhole + http-response + dns go here
  blackholeFlags,
  httpResponseFlags,
  dnsFlags,
  resetPeerFlags,
  slowCloseFlags,
  limitDataFlags,
  timeoutFlags,
  // reset-peer + slow-close + limit-data + timeout go here
];
