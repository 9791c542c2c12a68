// One hashed timer wheel per shard: every injected delay goes through it, so a shard holds at
// most ONE Node timer however many chunks are waiting.
//
// Layout
// - Near entries (due within one revolution of the wheel's base tick) sit in a hashed slot
//   `tick & (slots - 1)`, in a doubly linked list per slot (O(1) insert and cancel, insertion
//   order kept for ties). Because an entry only goes into a slot when its tick is inside
//   [baseTick, baseTick + slots), every slot holds entries of a single tick: no round counts.
// - Far entries (beyond one revolution) go to an overflow min-heap and fire straight from it.
//   We chose that over round counts because round counts leave the slot's occupancy bit set for
//   revolutions that fire nothing, so a lone 5 s delay would wake the shard every `slots` ms;
//   the heap costs O(log n) but only for delays longer than a revolution (1 s by default),
//   which are rare for injected latency, and it lets the wheel sleep until exactly then.
// - An occupancy bitmap with a one-bit-per-word summary finds the next non-empty slot in a
//   couple of word reads instead of walking the slots: measured 4-9 ns per lookup whatever the
//   gaps, against 3 ns (every slot full) to 440 ns (one slot in 1000) for a linear scan.
//
// Precision
// Node's setTimeout counts whole ms: armed from a fresh loop turn it wakes ~0.1 ms after the
// whole ms asked for, so sleeping to the next whole ms makes callbacks ~0.5 ms late on average
// (measured p50 0.56 ms). The wheel sleeps to the whole ms just BEFORE a due time when at most
// MAX_BLOCKING_SLEEP_MS would be left over, and waits out that remainder itself, by default
// with Atomics.wait (sub-ms precision; it blocks the thread, hence the small cap, and on our
// 2-core VM even a 10 us wait lasts 70-100 us because of the kernel's timer slack). The option
// `subMsWait` selects 'hybrid' (block for the remainder minus the recent overshoot, then yield
// loop turns) or 'yield' (loop turns only); see its doc for the measured trade-off. Spinning for
// the whole delay was also measured: as precise on an idle machine but it burns a core, and once
// the cores are contended the spinning shard is preempted (p50 1-3 ms late).
// Whatever woke it, the wheel only fires what now() says is due.
import { performance } from 'node:perf_hooks';

export interface TimerHandle {
  cancel(): void;
}

export interface TimerWheelOptions {
  /** Resolution of a slot, in ms. Default 1. */
  tickMs?: number;
  /** Number of slots, a power of two. Default 1024 (one revolution = 1024 ticks). */
  slots?: number;
  /** The clock every due time is measured on. Default performance.now(). */
  now?: () => number;
  /** When true the wheel's Node timer never keeps the process alive by itself. Default false. */
  unref?: boolean;
  /** Receives what a callback threw; the wheel carries on either way. Default: a process warning. */
  onError?: (error: unknown) => void;
  /**
   * How a sub-ms remainder is waited out. 'block' (default): Atomics.wait for the whole
   * remainder. 'hybrid': block with Atomics.wait for the
   * remainder minus the overshoot such waits have had lately (so the thread is never blocked
   * past the due time), then re-check on the following loop turns (setImmediate) until due.
   * 'yield': loop turns only, never blocking. Measured side by side (bench/micro timer
   * lateness): 'block' is the most precise under CPU contention and cheapest in CPU, but blocks
   * I/O (the kernel's timer slack makes even a 10 µs wait last ~70-100 µs on some VMs);
   * 'hybrid'/'yield' never hold the thread past the due time but cost 2-3x the CPU and are
   * 0.5-2 ms late at p50 once the cores are contended. Default kept until a load A/B decides.
   */
  subMsWait?: 'hybrid' | 'yield' | 'block';
}

/**
 * Longest remainder the wheel waits out itself (yielding loop turns, or blocking with
 * subMsWait 'block') rather than with a Node timer. Larger = precise more often but more loop
 * turns spent waiting; 0.5 keeps both that and the lateness of the timer-only path at ≤ ~0.5 ms.
 */
const MAX_BLOCKING_SLEEP_MS = 0.5;
/** setTimeout's upper limit (2^31 − 1 ms, about 24.8 days). */
const LONGEST_NODE_TIMEOUT_MS = 2 ** 31 - 1;
const blockingSleepCell = new Int32Array(new SharedArrayBuffer(4));
/**
 * How much longer than asked the recent blocking waits of this thread lasted (a moving
 * average, ms): the kernel's timer slack plus wake-up latency. 'hybrid' asks for that much less.
 */
let blockingOvershootMs = 0.05;

/** Blocks this thread for `ms` (sub-ms precision); nothing ever notifies the cell. */
function sleepBlocking(ms: number): void {
  const started = performance.now();
  Atomics.wait(blockingSleepCell, 0, 0, ms);
  const overshoot = performance.now() - started - ms;
  // Clamped, so one preemption does not make every later wait give up on blocking.
  blockingOvershootMs += ((overshoot < 0 ? 0 : overshoot > 0.2 ? 0.2 : overshoot) - blockingOvershootMs) * 0.2;
}

const enum EntryPlace {
  Slot,
  Overflow,
  Firing,
  Done,
}

/** One scheduled callback; also the handle given to the caller. */
class TimerEntry implements TimerHandle {
  place = EntryPlace.Done;
  /** Slot index while in a slot; index in the overflow heap while there. */
  position = -1;
  previous: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;

  constructor(
    readonly owner: WheelState,
    readonly dueAt: number,
    readonly sequence: number,
    public callback: (() => void) | undefined,
  ) {}

  cancel(): void {
    this.owner.cancel(this);
  }
}

function firesFirst(a: TimerEntry, b: TimerEntry): boolean {
  return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.sequence < b.sequence);
}

function byDueTime(a: TimerEntry, b: TimerEntry): number {
  return a.dueAt - b.dueAt || a.sequence - b.sequence;
}

/** Index of the lowest set bit of a non-zero 32-bit word. */
function lowestSetBit(word: number): number {
  return 31 - Math.clz32(word & -word);
}

/** Which slots hold entries: one bit per slot, plus a summary bit per non-empty word. */
class OccupancyBitmap {
  private readonly words: Uint32Array;
  private readonly summary: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32));
    this.summary = new Uint32Array(Math.ceil(this.words.length / 32));
  }

  set(index: number): void {
    const word = index >>> 5;
    this.words[word] |= 1 << (index & 31);
    this.summary[word >>> 5] |= 1 << (word & 31);
  }

  clear(index: number): void {
    const word = index >>> 5;
    this.words[word] &= ~(1 << (index & 31));
    if (this.words[word] === 0) this.summary[word >>> 5] &= ~(1 << (word & 31));
  }

  /** First set index ≥ from, wrapping around to the start; -1 when nothing is set. */
  nextSetFrom(from: number): number {
    const found = this.firstSetAtOrAfter(from);
    return found >= 0 || from === 0 ? found : this.firstSetAtOrAfter(0);
  }

  private firstSetAtOrAfter(from: number): number {
    const word = from >>> 5;
    const inWord = this.words[word] & (0xffffffff << (from & 31));
    if (inWord !== 0) return (word << 5) | lowestSetBit(inWord);
    const nextWord = this.firstSummaryBitAtOrAfter(word + 1);
    return nextWord < 0 ? -1 : (nextWord << 5) | lowestSetBit(this.words[nextWord]);
  }

  private firstSummaryBitAtOrAfter(from: number): number {
    if (from >= this.words.length) return -1;
    let group = from >>> 5;
    let bits = this.summary[group] & (0xffffffff << (from & 31));
    while (bits === 0) {
      if (++group >= this.summary.length) return -1;
      bits = this.summary[group];
    }
    return (group << 5) | lowestSetBit(bits);
  }
}

/** Binary min-heap of far entries, ordered by due time then sequence; supports removal. */
class OverflowHeap {
  private readonly items: TimerEntry[] = [];

  peek(): TimerEntry | undefined {
    return this.items[0];
  }

  push(entry: TimerEntry): void {
    entry.place = EntryPlace.Overflow;
    this.items.push(entry);
    this.siftUp(this.items.length - 1, entry);
  }

  pop(): TimerEntry | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(entry: TimerEntry): void {
    const index = entry.position;
    const last = this.items.pop() as TimerEntry;
    entry.position = -1;
    if (last === entry) return;
    // Put the former last item where the removed one was and restore heap order either way.
    if (index > 0 && firesFirst(last, this.items[(index - 1) >>> 1])) this.siftUp(index, last);
    else this.siftDown(index, last);
  }

  clear(): TimerEntry[] {
    return this.items.splice(0);
  }

  private siftUp(index: number, entry: TimerEntry): void {
    while (index > 0) {
      const parentIndex = (index - 1) >>> 1;
      const parent = this.items[parentIndex];
      if (!firesFirst(entry, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(entry, index);
  }

  private siftDown(index: number, entry: TimerEntry): void {
    const count = this.items.length;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= count) break;
      if (child + 1 < count && firesFirst(this.items[child + 1], this.items[child])) child++;
      if (!firesFirst(this.items[child], entry)) break;
      this.place(this.items[child], index);
      index = child;
    }
    this.place(entry, index);
  }

  private place(entry: TimerEntry, index: number): void {
    this.items[index] = entry;
    entry.position = index;
  }
}

/** The wheel's bookkeeping; kept apart from TimerWheel so handles can reach `cancel`. */
class WheelState {
  readonly tickMs: number;
  readonly now: () => number;
  private readonly mask: number;
  private readonly heads: Array<TimerEntry | undefined>;
  private readonly tails: Array<TimerEntry | undefined>;
  /** Earliest due time ever put in each slot since it was last emptied (a lower bound). */
  private readonly slotEarliest: Float64Array;
  private readonly occupied: OccupancyBitmap;
  private readonly overflow = new OverflowHeap();
  private readonly unref: boolean;
  private readonly onError: (error: unknown) => void;
  private readonly subMsWait: 'hybrid' | 'yield' | 'block';

  /** Lowest tick that may still hold entries; every slot maps to a tick in [base, base + slots). */
  private baseTick: number;
  private entriesInSlots = 0;
  private sequence = 0;
  private pendingCount = 0;

  private timeout: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  /** Due time the armed Node timer is meant for; Infinity when nothing is armed. */
  private armedFor = Infinity;
  /**
   * Entries due in the current wake-up, in firing order. Reused across wake-ups because the
   * wheel may wake thousands of times a second and each allocation feeds the GC.
   */
  private readonly batch: TimerEntry[] = [];

  constructor(options: TimerWheelOptions) {
    const tickMs = options.tickMs ?? 1;
    const slots = options.slots ?? 1024;
    if (!(tickMs > 0 && Number.isFinite(tickMs))) throw new RangeError(`tickMs must be a positive number, got ${tickMs}`);
    if (!Number.isInteger(slots) || slots < 2 || slots > 1 << 24 || (slots & (slots - 1)) !== 0) {
      throw new RangeError(`slots must be a power of two between 2 and 2^24, got ${slots}`);
    }
    this.tickMs = tickMs;
    this.now = options.now ?? (() => performance.now());
    this.mask = slots - 1;
    this.heads = new Array<TimerEntry | undefined>(slots).fill(undefined);
    this.tails = new Array<TimerEntry | undefined>(slots).fill(undefined);
    this.slotEarliest = new Float64Array(slots).fill(Infinity);
    this.occupied = new OccupancyBitmap(slots);
    this.unref = options.unref ?? false;
    this.onError = options.onError ?? reportAsWarning;
    this.subMsWait = options.subMsWait ?? 'block';
    this.baseTick = this.tickOf(this.now());
  }

  /** Scheduled callbacks neither fired nor cancelled yet. */
  get pending(): number {
    return this.pendingCount;
  }

  /** `now` is passed in so schedule() reads the clock once. */
  add(dueAt: number, callback: () => void, now: number): TimerEntry {
    if (Number.isNaN(dueAt)) throw new RangeError('timer due time is NaN');
    if (typeof callback !== 'function') throw new TypeError('timer callback must be a function');
    const entry = new TimerEntry(this, dueAt, this.sequence++, callback);
    if (this.entriesInSlots === 0) this.baseTick = Math.max(this.baseTick, this.tickOf(now));
    this.insert(entry);
    this.pendingCount++;
    // Re-arm only when this entry is earlier than what the Node timer waits for.
    if (dueAt < this.armedFor) this.arm(now);
    return entry;
  }

  cancel(entry: TimerEntry): void {
    switch (entry.place) {
      case EntryPlace.Slot:
        this.unlink(entry);
        break;
      case EntryPlace.Overflow:
        this.overflow.remove(entry);
        break;
      case EntryPlace.Firing:
        break; // already taken out; the batch skips it once the callback is dropped
      case EntryPlace.Done:
        return;
    }
    entry.place = EntryPlace.Done;
    entry.callback = undefined;
    this.pendingCount--;
    // An earlier due time left armed only costs a spurious wake-up, but an empty wheel must
    // hold no timer at all so that an idle shard costs nothing and can exit.
    if (this.pendingCount === 0) this.disarm();
  }

  close(): void {
    this.disarm();
    for (let slot = 0; slot <= this.mask; slot++) {
      for (let entry = this.heads[slot]; entry !== undefined; entry = entry.next) entry.place = EntryPlace.Done;
      this.heads[slot] = this.tails[slot] = undefined;
      this.slotEarliest[slot] = Infinity;
      this.occupied.clear(slot);
    }
    for (const entry of this.overflow.clear()) entry.place = EntryPlace.Done;
    // Emptying the batch also ends a firing loop that a callback closed the wheel from.
    for (const entry of this.batch) entry.place = EntryPlace.Done;
    this.batch.length = 0;
    this.entriesInSlots = 0;
    this.pendingCount = 0;
  }

  private tickOf(time: number): number {
    return Math.floor(time / this.tickMs);
  }

  private insert(entry: TimerEntry): void {
    let tick = this.openTickOf(entry.dueAt);
    if (tick - this.baseTick > this.mask) {
      this.advanceBase();
      tick = this.openTickOf(entry.dueAt);
      if (tick - this.baseTick > this.mask) {
        this.overflow.push(entry);
        return;
      }
    }
    const slot = tick & this.mask;
    const tail = this.tails[slot];
    entry.place = EntryPlace.Slot;
    entry.position = slot;
    entry.previous = tail;
    entry.next = undefined;
    if (tail === undefined) {
      this.heads[slot] = entry;
      this.occupied.set(slot);
    } else {
      tail.next = entry;
    }
    this.tails[slot] = entry;
    if (entry.dueAt < this.slotEarliest[slot]) this.slotEarliest[slot] = entry.dueAt;
    this.entriesInSlots++;
  }

  /** The tick whose slot takes `dueAt`: a due time in the past goes to the earliest open tick. */
  private openTickOf(dueAt: number): number {
    return Math.max(this.tickOf(dueAt), this.baseTick);
  }

  /**
   * The base only moves when timers fire; after a long sleep move it up to the first occupied
   * tick (or now), so that more due times fit in one revolution instead of the overflow heap.
   */
  private advanceBase(): void {
    const nowTick = this.tickOf(this.now());
    const firstOccupied = this.entriesInSlots === 0 ? Infinity : this.firstOccupiedTick();
    this.baseTick = Math.max(this.baseTick, Math.min(nowTick, firstOccupied));
  }

  private firstOccupiedTick(): number {
    const baseSlot = this.baseTick & this.mask;
    const slot = this.occupied.nextSetFrom(baseSlot);
    return this.baseTick + ((slot - baseSlot) & this.mask);
  }

  private unlink(entry: TimerEntry): void {
    const slot = entry.position;
    if (entry.previous === undefined) this.heads[slot] = entry.next;
    else entry.previous.next = entry.next;
    if (entry.next === undefined) this.tails[slot] = entry.previous;
    else entry.next.previous = entry.previous;
    entry.previous = entry.next = undefined;
    entry.position = -1;
    this.entriesInSlots--;
    if (this.heads[slot] === undefined) {
      this.occupied.clear(slot);
      this.slotEarliest[slot] = Infinity;
    }
  }

  /** Earliest time anything may be due: a lower bound, exact unless entries were cancelled. */
  private nextDueTime(): number {
    const fromSlots = this.entriesInSlots === 0 ? Infinity : this.slotEarliest[this.firstOccupiedTick() & this.mask];
    const fromOverflow = this.overflow.peek()?.dueAt ?? Infinity;
    return Math.min(fromSlots, fromOverflow);
  }

  private arm(now: number): void {
    this.disarm();
    const dueAt = this.nextDueTime();
    if (dueAt === Infinity) return;
    this.armedFor = dueAt;
    const remaining = dueAt - now;
    const wholeMs = Math.floor(remaining);
    // Wake at the whole ms before the due time if the rest may be slept blocking, else after it.
    const wakeIn = remaining - wholeMs <= MAX_BLOCKING_SLEEP_MS ? wholeMs : wholeMs + 1;
    if (wakeIn >= 1) {
      // Longer than Node's limit would be cut to 1 ms by Node; waking early is harmless.
      this.timeout = setTimeout(this.wake, Math.min(wakeIn, LONGEST_NODE_TIMEOUT_MS));
      if (this.unref) this.timeout.unref();
    } else {
      // Due now or within the blocking cap: one loop turn for I/O first, then wake() sleeps.
      this.immediate = setImmediate(this.wake);
      if (this.unref) this.immediate.unref();
    }
  }

  private disarm(): void {
    if (this.timeout !== undefined) clearTimeout(this.timeout);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timeout = this.immediate = undefined;
    this.armedFor = Infinity;
  }

  private readonly wake = (): void => {
    const armedFor = this.armedFor;
    this.timeout = this.immediate = undefined;
    this.armedFor = Infinity;
    let now = this.now();
    // Woken early, on purpose or by Node's coarse timers: wait out a short remainder here.
    const early = armedFor - now;
    if (early > 0 && early <= MAX_BLOCKING_SLEEP_MS) {
      const block = this.subMsWait === 'block' ? early : this.subMsWait === 'hybrid' ? early - blockingOvershootMs : 0;
      if (block > 0.01) {
        sleepBlocking(block);
        now = this.now();
      }
      if (this.subMsWait !== 'block' && armedFor > now) {
        // Check again on the next loop turn: it polls for I/O first (without blocking, since an
        // immediate is pending), so traffic keeps moving while we wait out the last bit.
        this.armedFor = armedFor;
        this.immediate = setImmediate(this.wake);
        if (this.unref) this.immediate.unref();
        return;
      }
    }
    this.takeDue(now);
    if (this.batch.length > 1) this.batch.sort(byDueTime);
    this.fireBatch();
    if (this.pendingCount > 0 && this.armedFor === Infinity) this.arm(this.now());
  };

  /** Moves every entry with dueAt ≤ now into the batch (unsorted). */
  private takeDue(now: number): void {
    const due = this.batch;
    const nowTick = this.tickOf(now);
    while (this.entriesInSlots > 0) {
      const tick = this.firstOccupiedTick();
      if (tick > nowTick) break;
      // Ticks before now's are wholly due; now's own tick only up to `now`.
      this.takeFromSlot(tick & this.mask, tick < nowTick ? Infinity : now, due);
      if (tick === nowTick) break;
      this.baseTick = tick + 1;
    }
    this.baseTick = Math.max(this.baseTick, nowTick);
    for (let top = this.overflow.peek(); top !== undefined && top.dueAt <= now; top = this.overflow.peek()) {
      this.overflow.pop();
      due.push(top);
    }
    for (const entry of due) entry.place = EntryPlace.Firing;
  }

  private takeFromSlot(slot: number, upTo: number, due: TimerEntry[]): void {
    let earliestLeft = Infinity;
    let entry = this.heads[slot];
    while (entry !== undefined) {
      const next = entry.next;
      if (entry.dueAt <= upTo) {
        this.unlink(entry);
        due.push(entry);
      } else if (entry.dueAt < earliestLeft) {
        earliestLeft = entry.dueAt;
      }
      entry = next;
    }
    if (this.heads[slot] !== undefined) this.slotEarliest[slot] = earliestLeft;
  }

  private fireBatch(): void {
    const batch = this.batch;
    // Indexed on purpose: close() from a callback empties the batch and so ends this loop.
    for (let index = 0; index < batch.length; index++) {
      const entry = batch[index];
      const callback = entry.callback;
      if (callback === undefined) continue; // cancelled by an earlier callback of this batch
      entry.callback = undefined;
      entry.place = EntryPlace.Done;
      this.pendingCount--;
      try {
        callback();
      } catch (error) {
        this.report(error);
      }
    }
    batch.length = 0;
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // An error handler that throws must not take the wheel down with it.
    }
  }
}

function reportAsWarning(error: unknown): void {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`timer wheel callback threw: ${detail}`);
}

export class TimerWheel {
  private readonly state: WheelState;

  constructor(options: TimerWheelOptions = {}) {
    this.state = new WheelState(options);
  }

  /** Runs `callback` once `delayMs` have passed; 0 or negative = on the next turn, never synchronously. */
  schedule(delayMs: number, callback: () => void): TimerHandle {
    const now = this.state.now();
    return this.state.add(now + delayMs, callback, now);
  }

  /** Fire at an absolute time on the same clock as now(). */
  scheduleAt(atMs: number, callback: () => void): TimerHandle {
    return this.state.add(atMs, callback, this.state.now());
  }

  now(): number {
    return this.state.now();
  }

  /** Callbacks scheduled and neither fired nor cancelled yet. */
  get pending(): number {
    return this.state.pending;
  }

  /** Drops every pending callback and releases the Node timer. */
  close(): void {
    this.state.close();
  }
}
