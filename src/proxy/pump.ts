// Moves one flow of one connection from a source to a sink through its fault stages.
//
// The pump owns what faults must never re-implement: ordering (a unit is never released before
// the one ahead of it), backpressure (the source is paused while too much is queued or while the
// sink is full), delivering the end of the flow after every byte before it, and carrying out a
// fault's decision to abort the connection. With no stages and nothing queued, chunks are
// written straight through.
import type { FlowStage, FlowUnit, Forward } from '../faults/fault';
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
  unit: FlowUnit;
  releaseAt: number;
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
  /** Clock reading when the unit now travelling through the stages entered the pump. */
  private enteredAt = -Infinity;
  /** Entry point of the stage chain; the last link enqueues. */
  private readonly enterStages: Forward;
  private readonly onDrain = () => {
    this.waitingForDrain = false;
    this.flush();
  };

  constructor(
    private readonly source: PumpSource | undefined,
    private readonly sink: PumpSink,
    private readonly stages: readonly FlowStage[],
    private readonly wheel: TimerWheel,
    /** Carries out a fault's `abort` unit on the whole connection. */
    private readonly onAbort: (how: 'reset' | 'close') => void = () => undefined,
  ) {
    let link: Forward = (unit, at) => this.enqueue(unit, at);
    for (let i = stages.length - 1; i >= 0; i--) {
      const stage = stages[i];
      const next = link;
      link = (unit, at) => {
        if (!this.closed) stage.accept(unit, at, next);
      };
    }
    this.enterStages = link;
  }

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
    this.enterStages({ type: 'data', chunk }, (this.enteredAt = this.wheel.now()));
  }

  pushMarker(run: () => void): void {
    if (this.closed) return;
    this.enterStages({ type: 'marker', run }, (this.enteredAt = this.wheel.now()));
  }

  end(): void {
    if (this.closed) return;
    this.enterStages({ type: 'end' }, (this.enteredAt = this.wheel.now()));
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

  private enqueue(unit: FlowUnit, at: number): void {
    if (this.closed) return;
    // Never overtake: a unit leaves no earlier than the one ahead of it.
    const releaseAt = at < this.lastReleaseAt ? this.lastReleaseAt : at;
    this.lastReleaseAt = releaseAt;
    // Fast path for stages that did not delay: nothing queued ahead, the sink is not full and the
    // unit was already due when it entered the pump (enteredAt never runs ahead of the clock, so
    // this is never early). Skips the queue, the clock read and the timer check.
    if (releaseAt <= this.enteredAt && this.head === this.queue.length && !this.waitingForDrain) {
      if (unit.type === 'data') this.write(unit.chunk);
      else this.deliver(unit);
      this.updateSourceFlow();
      return;
    }
    this.queue.push({ unit, releaseAt });
    if (unit.type === 'data') this.queuedBytes += unit.chunk.length;
    this.flush();
  }

  private flush(): void {
    while (!this.closed && !this.waitingForDrain && this.head < this.queue.length) {
      const queued = this.queue[this.head];
      if (queued.releaseAt > this.wheel.now()) {
        this.arm(queued.releaseAt);
        break;
      }
      this.queue[this.head++] = undefined as unknown as QueuedUnit;
      this.deliver(queued.unit);
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

  private deliver(unit: FlowUnit): void {
    switch (unit.type) {
      case 'data':
        this.queuedBytes -= unit.chunk.length;
        this.write(unit.chunk);
        break;
      case 'marker':
        unit.run();
        break;
      case 'end':
        this.sink.end();
        break;
      case 'abort':
        this.close();
        this.onAbort(unit.how);
        break;
    }
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
