// The original's model of a lossy link: a 5-state Markov chain (spec §4.4). The link drifts
// between quality states, so losses come in bursts rather than independently. One chain per
// flow, starting in Good; each step first moves the chain, then draws the loss in the new state.
// Its stationary loss rate is about 20%.
import type { Random } from './random';

export const LINK_STATES = ['excellent', 'good', 'fair', 'poor', 'bad'] as const;
export type LinkState = (typeof LINK_STATES)[number];

/** TRANSITIONS[from][to], rows in LINK_STATES order; each row sums to 1. */
export const TRANSITIONS: readonly (readonly number[])[] = [
  [0.9, 0.1, 0, 0, 0],
  [0.05, 0.9, 0.05, 0, 0],
  [0, 0.1, 0.8, 0.1, 0],
  [0, 0, 0.2, 0.7, 0.1],
  [0, 0, 0, 0.3, 0.7],
];

/** Chance that a chunk is lost while the link is in each state, in LINK_STATES order. */
export const LOSS_PROBABILITIES: readonly number[] = [0, 0.1, 0.3, 0.6, 0.9];

const START_STATE = LINK_STATES.indexOf('good');

export class LinkStateChain {
  private state = START_STATE;

  constructor(private readonly random: Random) {}

  get current(): LinkState {
    return LINK_STATES[this.state];
  }

  /** Moves the link to its next state and tells whether the chunk sent then is lost. */
  nextChunkLost(): boolean {
    this.state = this.nextState();
    return this.random.next() < LOSS_PROBABILITIES[this.state];
  }

  private nextState(): number {
    const row = TRANSITIONS[this.state];
    const draw = this.random.next();
    let cumulative = 0;
    for (let to = 0; to < row.length; to++) {
      cumulative += row[to];
      if (draw < cumulative) return to;
    }
    // Rounding may leave the row's sum a hair under 1: the draw stays in the last reachable state.
    for (let to = row.length - 1; to >= 0; to--) if (row[to] > 0) return to;
    return this.state;
  }
}
