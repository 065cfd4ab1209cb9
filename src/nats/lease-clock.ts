/**
 * The local view of a lease: when its last successful renewal started, by the instance's own clock.
 * The server expires the lease `ttlMs` after it stored the renewal, which is later than the moment
 * the renewal started, so this view never outlives the server's.
 */

import { type CoordinationClock, systemClock } from './clock.js';

/** The options every lease is made with. */
export interface LeaseOptions {
  /** The lease bucket's TTL, in ms. */
  readonly leaseTtlMs: number;
  readonly clock?: CoordinationClock;
}

/** When a lease was last renewed, and whether it still lives by the local clock. */
export class LeaseClock {
  readonly #ttlMs: number;
  readonly #clock: CoordinationClock;
  #renewedAt: number | undefined;

  constructor(options: LeaseOptions) {
    this.#ttlMs = options.leaseTtlMs;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Runs a renewal: the time is read before it, and recorded once it succeeded.
   *
   * @example
   * // internal: await leaseClock.renewing(() => kv.put(key, value));
   */
  async renewing<T>(renew: () => Promise<T>): Promise<T> {
    const startedAt = this.#clock.now();
    const result = await renew();
    this.#renewedAt = startedAt;
    return result;
  }

  /** Forgets the renewal (the lease was given up). */
  forget(): void {
    this.#renewedAt = undefined;
  }

  /** Whether a renewal succeeded less than the TTL ago. */
  get live(): boolean {
    return this.#renewedAt !== undefined && this.#clock.now() - this.#renewedAt < this.#ttlMs;
  }
}
