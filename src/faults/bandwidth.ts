// Bandwidth: cap the byte rate of a flow, one limiter per flow of each connection/exchange.
//
// The limiter is GCRA, the virtual-time form of a token bucket: `theoreticalArrival` is when
// the bucket would be full again given everything released so far, and a piece of n bytes may
// leave as soon as the debt it creates fits within the burst tolerance. The release time is
// computed when the data arrives and handed to the pump, so the stage never arms a timer and
// the wheel's lateness never accumulates. Markers (HTTP heads, trailers) and the end of the
// flow take no tokens.
import type { BandwidthFaultSpec } from '../config/types';
import {
  type FaultDefinition,
  type Flow,
  type FlowStage,
  type FlowUnit,
  type Forward,
  type StageContext,
  touchesFlow,
} from './fault';

/**
 * How much may pass at once after an idle spell, as time at the full rate. Small on purpose:
 * every burst byte arrives "for free", so 20 ms keeps a 2 s transfer within 1% of the rate
 * while still absorbing short hiccups of the source (the pump pausing and resuming it).
 */
const BURST_MS = 20;

export class BandwidthLimiter {
  /** Virtual time (ms) per byte. */
  private readonly msPerByte: number;
  /** Largest number of bytes released at one instant; chunks above it are split. */
  readonly burstBytes: number;
  /** How far ahead of real time the virtual clock may run: the burst, as time. */
  private readonly toleranceMs: number;
  private theoreticalArrival = -Infinity;
  private latestArrival = -Infinity;

  constructor(bytesPerSecond: number) {
    this.msPerByte = 1000 / bytesPerSecond;
    this.burstBytes = Math.max(1, Math.floor((bytesPerSecond * BURST_MS) / 1000));
    this.toleranceMs = this.burstBytes * this.msPerByte;
  }

  /** When `size` bytes (at most burstBytes) that arrived at `at` may leave; books them. */
  releaseTime(size: number, at: number): number {
    // A stage ahead may hand over a later unit with an earlier time; the bytes cannot be here
    // before the ones ahead of them.
    const arrival = Math.max(at, this.latestArrival);
    this.latestArrival = arrival;
    const cost = size * this.msPerByte;
    const release = Math.max(arrival, this.theoreticalArrival + cost - this.toleranceMs);
    this.theoreticalArrival = Math.max(this.theoreticalArrival, release) + cost;
    return release;
  }
}

class BandwidthStage implements FlowStage {
  readonly kind = 'bandwidth' as const;
  private active = true;
  private reported = false;

  constructor(
    private readonly limiter: BandwidthLimiter,
    private readonly context: StageContext,
  ) {}

  accept(unit: FlowUnit, at: number, next: Forward): void {
    if (unit.type !== 'data' || !this.active) {
      next(unit, at);
      return;
    }
    const { chunk } = unit;
    const pieceSize = this.limiter.burstBytes;
    if (chunk.length <= pieceSize) {
      next(unit, this.release(chunk.length, at));
      return;
    }
    // Each piece gets its own release time, so a large chunk trickles out at the rate
    // instead of leaving in one lump after a long wait. subarray: no copy.
    for (let offset = 0; offset < chunk.length; offset += pieceSize) {
      const piece = chunk.subarray(offset, offset + pieceSize);
      next({ type: 'data', chunk: piece }, this.release(piece.length, at));
    }
  }

  deactivate(): void {
    this.active = false;
  }

  private release(size: number, at: number): number {
    const releaseAt = this.limiter.releaseTime(size, at);
    // Counted once per flow, the first time the limit actually holds data back.
    if (!this.reported && releaseAt > at) {
      this.reported = true;
      this.context.applied('bandwidth', 0);
    }
    return releaseAt;
  }
}

const DECIMAL_UNITS: ReadonlyArray<[string, number]> = [
  ['GB/s', 1e9],
  ['MB/s', 1e6],
  ['KB/s', 1e3],
];

/** `50 KB/s`, `1.5 MB/s`, `700 B/s`: decimal units, as configured. */
export function formatBytesPerSecond(bytesPerSecond: number): string {
  for (const [name, size] of DECIMAL_UNITS) {
    if (bytesPerSecond >= size) return `${Math.round((bytesPerSecond / size) * 1000) / 1000} ${name}`;
  }
  return `${bytesPerSecond} B/s`;
}

export const bandwidthFault: FaultDefinition<BandwidthFaultSpec> = {
  kind: 'bandwidth',
  createStage(spec: BandwidthFaultSpec, flow: Flow, context: StageContext): FlowStage | undefined {
    if (!touchesFlow(spec, flow)) return undefined;
    return new BandwidthStage(new BandwidthLimiter(spec.bytesPerSecond), context);
  },
  describe(spec: BandwidthFaultSpec): string {
    return `bandwidth ${formatBytesPerSecond(spec.bytesPerSecond)}, ${spec.side} side, ${spec.direction}`;
  },
};
