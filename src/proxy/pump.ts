// Moves one flow of one connection from a source to a sink through its fault stages.
//
// The pump owns what faults must never re-implement: ordering (a unit is never released before
// the one ahead of it), backpressure (the source is paused while too much is queued or while the
// sink is full) and the end of the flow (delivered after every queued byte). With no stages and
// nothing queued, chunks are written straight through.
import type { FlowStage } from '../faults/fault';
import type { TimerHandle, TimerWheel } from '../time/timer-wheel';

export interface PumpSource {
  pause(): void;
  resume(): void;
}

export interface PumpSink {
  /** false = the sink is full; the pump waits for onceDrain before writing more. */
  write(chunk: Buffer): boolean;
  end(): void;
  onceDrain(callback: () => void): void;
}

interface QueuedUnit {
  releaseAt: number;
  chunk?: Buffer;
  /** A zero-byte unit that runs code in order with the data (e.g. writing an HTTP head). */
  marker?: () => void;
  end?: true;
}

/** Queue high/low water marks: above HIGH the source is paused, it resumes below LOW. */
const HIGH_WATER_BYTES = 2 * 1024 * 1024;
const LOW_WATER_BYTES = 512 * 1024;

export class Pump {
  private readonly queue: QueuedUnit[] = [];
  private head = 0;
  private queuedBytes = 0;
  private lastReleaseAt = -Infinity;
  private waitingForDrain = false;
  private sourcePaused = false;
  private timer: TimerHandle | undefined;
  private closed = false;
  private readonly onDrain = () => {
    this.waitingForDrain = false;
    this.flush();
  };

  constructor(
    private readonly source: PumpSource | undefined,
    private readonly sink: PumpSink,
    private readonly stages: readonly FlowStage[],
    private readonly wheel: TimerWheel,
  ) {}

  get pendingBytes(): number {
    return this.queuedBytes;
  }

  push(chunk: Buffer): void {
    if (this.closed) return;
    if (this.stages.length === 0 && this.head === this.queue.length && !this.waitingForDrain) {
      this.write(chunk);
      this.updateSourceFlow();
      return;
    }
    this.enqueue({ releaseAt: this.releaseTimeOf(chunk.length), chunk });
    this.queuedBytes += chunk.length;
    this.flush();
  }

  pushMarker(marker: () => void): void {
    if (this.closed) return;
    this.enqueue({ releaseAt: this.releaseTimeOf(0), marker });
    this.flush();
  }

  end(): void {
    if (this.closed) return;
    let at = this.wheel.now();
    for (const stage of this.stages) if (stage.endReleaseTime) at = Math.max(at, stage.endReleaseTime(at));
    this.enqueue({ releaseAt: at, end: true });
    this.flush();
  }

  /** Drop everything queued; nothing more will reach the sink. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
    this.queuedBytes = 0;
  }

  private releaseTimeOf(size: number): number {
    let at = this.wheel.now();
    for (const stage of this.stages) at = Math.max(at, stage.chunkReleaseTime(size, at));
    return at;
  }

  private enqueue(unit: QueuedUnit): void {
    // Never overtake: a unit leaves no earlier than the one ahead of it.
    if (unit.releaseAt < this.lastReleaseAt) unit.releaseAt = this.lastReleaseAt;
    this.lastReleaseAt = unit.releaseAt;
    this.queue.push(unit);
  }

  private flush(): void {
    while (!this.closed && !this.waitingForDrain && this.head < this.queue.length) {
      const unit = this.queue[this.head];
      if (unit.releaseAt > this.wheel.now()) {
        this.arm(unit.releaseAt);
        break;
      }
      this.queue[this.head++] = undefined as unknown as QueuedUnit;
      if (unit.chunk) {
        this.queuedBytes -= unit.chunk.length;
        this.write(unit.chunk);
      } else if (unit.marker) {
        unit.marker();
      } else if (unit.end) {
        this.sink.end();
      }
    }
    if (this.head === this.queue.length && this.head > 0) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.updateSourceFlow();
  }

  private write(chunk: Buffer): void {
    if (!this.sink.write(chunk)) {
      this.waitingForDrain = true;
      this.sink.onceDrain(this.onDrain);
    }
  }

  private arm(at: number): void {
    if (this.timer) return;
    this.timer = this.wheel.scheduleAt(at, () => {
      this.timer = undefined;
      this.flush();
    });
  }

  private updateSourceFlow(): void {
    if (!this.source) return;
    const mustPause = this.waitingForDrain || this.queuedBytes > HIGH_WATER_BYTES;
    if (mustPause && !this.sourcePaused) {
      this.sourcePaused = true;
      this.source.pause();
    } else if (this.sourcePaused && !this.waitingForDrain && this.queuedBytes <= LOW_WATER_BYTES) {
      this.sourcePaused = false;
      this.source.resume();
    }
  }
}
