// Everything the data plane of one shard shares: configuration, the shard's timer wheel,
// randomness, statistics, the fault set in force, and the registry of open sockets (for drain).
import type { Socket } from 'node:net';
import type { RunConfig } from '../config/types';
import type { ConnectionControl, StageContext } from '../faults/fault';
import type { Random } from '../faults/random';
import { type ActiveFault, type AttachedFaults, NO_FAULTS, attachFaults } from '../faults/registry';
import type { ExchangeLog } from '../stats/exchange-log';
import type { ExchangeRecord } from '../stats/exchange-record';
import type { ShardStats } from '../stats/shard-stats';
import type { TimerWheel } from '../time/timer-wheel';
import type { NativeRelayFinished } from '../engine/native';
import type { NativeFastPath } from './native-fast-path';

/** A connection the native relay carried, as the exchange record wants it (already counted). */
export interface RelayedOutcome {
  bytesToUpstream: number;
  bytesToClient: number;
  error?: string;
}

/** When an exchange began, on both clocks. */
export interface ExchangeStart {
  wallMs: number;
  wheelMs: number;
}

/** What the sites that finish an exchange report; the context fills in the rest. */
export type ExchangeOutcome = Omit<ExchangeRecord, 'startedAt' | 'durationMs' | 'shardId'>;

/** A versioned set of active faults, decided by the engine and broadcast to every shard. */
export interface FaultSet {
  version: number;
  faults: ActiveFault[];
}

export class ShardContext {
  private faultSet: FaultSet;
  private connectionSeq = 0;
  readonly openSockets = new Set<Socket>();
  /** The addresses this shard listens on, to refuse tunnels that would loop back into us. */
  private ownAddresses: Array<{ address: string; port: number }> = [];
  /** Connections with faults attached, told when the schedule switches a fault off. */
  private readonly faulted = new Set<AttachedFaults>();
  /** Sockets whose connection went on in the native relay: their close is not the connection's. */
  private readonly handedOver = new WeakSet<Socket>();
  /** The native relay for fault-free connections, when the addon is there and it is not turned off. */
  fastPath: NativeFastPath | undefined;
  /** Where every connection's faults report what they did (one function for all of them). */
  private readonly faultApplied: StageContext['applied'] = (kind, injectedMs) => this.stats.faultApplied(kind, injectedMs);

  constructor(
    readonly shardId: number,
    readonly config: RunConfig,
    readonly wheel: TimerWheel,
    private readonly random: Random,
    readonly stats: ShardStats,
    initialFaults: FaultSet,
    private readonly exchangeLog: ExchangeLog,
  ) {
    this.faultSet = initialFaults;
  }

  get faults(): FaultSet {
    return this.faultSet;
  }

  /** Install a newer fault set; older versions arriving late are ignored. */
  setFaults(next: FaultSet): void {
    if (next.version <= this.faultSet.version) return;
    this.faultSet = next;
    const activeIds = new Set(next.faults.map((f) => f.id));
    for (const attached of this.faulted) attached.deactivateAllBut(activeIds);
  }

  /**
   * Attach the faults in force now to a new connection or exchange. Each gets its own random
   * stream, so a seeded run draws the same values every time. Call `release` when it is over.
   */
  attachFaults(connection: ConnectionControl): AttachedFaults {
    const faults = this.faultSet.faults;
    if (faults.length === 0) return NO_FAULTS;
    const random = this.random.fork(++this.connectionSeq);
    const attached = attachFaults(faults, { random, wheel: this.wheel, connection, applied: this.faultApplied });
    if (!attached.none) this.faulted.add(attached);
    return attached;
  }

  release(attached: AttachedFaults): void {
    if (attached.none) return;
    this.faulted.delete(attached);
    attached.dispose();
  }

  setOwnAddresses(addresses: Array<{ address: string; port: number }>): void {
    this.ownAddresses = addresses;
  }

  /** Whether host:port is one of our own listeners (a tunnel or relay there would loop). */
  isOwnAddress(host: string, port: number): boolean {
    const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
    return this.ownAddresses.some(
      (own) =>
        own.port === port &&
        (own.address === host || own.address === '0.0.0.0' || own.address === '::' || (loopback && (own.address === '::1' || own.address.startsWith('127.')))),
    );
  }

  /** Exchanges begun and not yet ended: stop waits for the cut ones to be recorded. */
  openExchanges = 0;
  /** Set when the drain time is over and open connections are being cut. */
  cutting = false;

  beginExchange(): ExchangeStart {
    this.stats.counters.exchanges++;
    this.openExchanges++;
    return { wallMs: Date.now(), wheelMs: this.wheel.now() };
  }

  /**
   * Records a finished exchange: its duration in the histograms, its record for --tail and
   * reports. `endWheelMs` is when it ended, when that was earlier than now.
   */
  endExchange(start: ExchangeStart, outcome: ExchangeOutcome, endWheelMs = this.wheel.now()): void {
    const durationMs = endWheelMs - start.wheelMs;
    this.openExchanges--;
    this.stats.exchangeFinished(durationMs, outcome.faults);
    // One meaning everywhere (HTTP, tunnels, mappings, stealth): faulted = at least one fault
    // acted on it; passthrough = not selected by --upstream.
    if (outcome.faults.length > 0) this.stats.counters.faulted++;
    if (outcome.passthrough) this.stats.counters.passthrough++;
    if (outcome.error !== undefined) this.stats.counters.errors++;
    if (this.exchangeLog.enabled) {
      this.exchangeLog.add({ startedAt: start.wallMs, durationMs, shardId: this.shardId, ...outcome });
    }
  }

  /** Remember a socket until it closes, so that stop can drain or cut it. */
  track(socket: Socket): void {
    this.openSockets.add(socket);
    this.stats.counters.connectionsAccepted++;
    socket.once('close', () => {
      this.openSockets.delete(socket);
      if (!this.handedOver.has(socket)) this.stats.counters.connectionsClosed++;
    });
  }

  /**
   * Moves a fault-free connection (a tracked client socket and its upstream) to the native
   * relay. True when it went: `onFinished` then runs when the connection ends, its end time on
   * the wheel's clock given; false when the caller must relay it itself.
   */
  relayNatively(
    client: Socket,
    upstream: Socket,
    onFinished: (outcome: RelayedOutcome, endWheelMs: number) => void,
    /** Client bytes already read (e.g. sent right behind a CONNECT head): they go first. */
    earlyClientBytes?: Buffer,
  ): boolean {
    const fastPath = this.fastPath;
    if (!fastPath) return false;
    const handedAt = this.wheel.now();
    this.handedOver.add(client);
    const went = fastPath.handOver(client, upstream, (finished: NativeRelayFinished) => {
      const counters = this.stats.counters;
      counters.connectionsClosed++;
      counters.bytesToUpstream += finished.bytesToUpstream;
      counters.bytesToClient += finished.bytesToClient;
      const error = finished.errorCode ? `${finished.errorOp} ${finished.errorCode}` : undefined;
      onFinished({ bytesToUpstream: finished.bytesToUpstream, bytesToClient: finished.bytesToClient, error }, handedAt + finished.elapsedMs);
    }, earlyClientBytes);
    if (!went) this.handedOver.delete(client);
    return went;
  }
}
