// Packet loss on a byte stream, modelled the way TCP experiences it: nothing is ever dropped
// from the stream (the original returned an early EOF or broke the connection), a lost chunk is
// delivered late instead, after a retransmission timeout (RTO), and everything behind it waits
// too (the pump keeps order: head-of-line blocking).
//
// Each data chunk and each HTTP head/trailers marker is one "packet": with --packet-loss-rate p
// it is lost with probability p, otherwise the link-state Markov chain decides (one chain per
// flow). A lost chunk waits the current RTO, measured from its arrival; each further lost chunk
// in a row waits twice as long as the previous one (exponential backoff, capped at 60 s), and a
// chunk that gets through first time brings the RTO back to its base. The end of the flow is
// never lost: it only queues behind the data.
import type { PacketLossFaultSpec } from '../config/types';
import { formatDuration } from '../config/duration';
import { DelayStage, type FaultDefinition, type Flow, type FlowStage, type StageContext, touchesFlow } from './fault';
import { LinkStateChain } from './link-state-chain';

/** Backoff ceiling; like TCP stacks, an RTO never grows past a minute or so. */
export const MAX_RTO_MS = 60_000;

/** The RTO of one flow: doubles on every consecutive loss, back to the base after a success. */
export class RetransmissionBackoff {
  private readonly capMs: number;
  private currentMs: number;

  constructor(private readonly baseMs: number) {
    // A base above the ceiling is taken as given, just never doubled.
    this.capMs = Math.max(MAX_RTO_MS, baseMs);
    this.currentMs = baseMs;
  }

  /** A chunk was lost: how long it waits for its retransmission. */
  lost(): number {
    const wait = this.currentMs;
    this.currentMs = Math.min(this.currentMs * 2, this.capMs);
    return wait;
  }

  /** A chunk got through first time. */
  delivered(): void {
    this.currentMs = this.baseMs;
  }
}

export class PacketLossStage extends DelayStage {
  readonly kind = 'packet-loss' as const;
  private active = true;

  constructor(
    private readonly isLost: () => boolean,
    private readonly backoff: RetransmissionBackoff,
    private readonly context: StageContext,
  ) {
    super();
  }

  deactivate(): void {
    this.active = false;
  }

  protected delayFor(): number {
    if (!this.active) return 0;
    if (!this.isLost()) {
      this.backoff.delivered();
      return 0;
    }
    const wait = this.backoff.lost();
    this.context.applied('packet-loss', wait);
    return wait;
  }
}

function lossDecider(spec: PacketLossFaultSpec, context: StageContext): () => boolean {
  const rate = spec.rate;
  if (rate !== undefined) return () => context.random.next() < rate;
  const chain = new LinkStateChain(context.random);
  return () => chain.nextChunkLost();
}

export const packetLossFault: FaultDefinition<PacketLossFaultSpec> = {
  kind: 'packet-loss',
  createStage(spec: PacketLossFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    // A rate of 0 never loses anything: no stage, so no draws and no effect.
    if (spec.rate === 0 || !touchesFlow(spec, flow)) return undefined;
    return new PacketLossStage(lossDecider(spec, context), new RetransmissionBackoff(spec.rtoMs), context);
  },
  describe(spec: PacketLossFaultSpec): string {
    const model = spec.rate === undefined ? 'Markov link states (~20% of chunks, bursty)' : `${Number((spec.rate * 100).toPrecision(6))}% of chunks`;
    return `packet loss ${model}, RTO ${formatDuration(spec.rtoMs)} doubling on repeated loss, ${spec.side} side, ${spec.direction}`;
  },
};
