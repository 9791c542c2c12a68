// Every fault `run` can configure from flags, in help and pipeline order.
// A new fault adds one file here and one entry in this list.

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
  jitterFlags,
  packetLossFlags,
  blackholeFlags,
  httpResponseFlags,
  dnsFlags,
  resetPeerFlags,
  slowCloseFlags,
  limitDataFlags,
  timeoutFlags,
];
