/**
 * The leader lease: key `leader` in the lease bucket. An instance becomes leader by creating the key
 * (refused while another's lease lives) and stays leader by updating it with compare-and-set on the
 * revision it last wrote; a failed CAS means the lease lapsed and another instance took it.
 */

import type { KV } from '@nats-io/kv';
import { type CoordinationClock, systemClock } from './clock.js';

const KEY = 'leader';

/** One instance's claim on the leader lease. */
export class LeaderLease {
  readonly instanceId: string;
  readonly #kv: KV;
  readonly #ttlMs: number;
  readonly #clock: CoordinationClock;
  #revision: number | undefined;
  #renewedAt = 0;

  constructor(
    kv: KV,
    instanceId: string,
    options: { readonly leaseTtlMs: number; readonly clock?: CoordinationClock },
  ) {
    this.#kv = kv;
    this.instanceId = instanceId;
    this.#ttlMs = options.leaseTtlMs;
    this.#clock = options.clock ?? systemClock;
  }

  /** Whether this instance holds the lease and renewed it within the TTL (by its own clock). */
  get isLeader(): boolean {
    return this.#revision !== undefined && this.#clock.now() - this.#renewedAt < this.#ttlMs;
  }

  /**
   * Renews the lease if this instance holds it, or takes it if nobody does. Resolves whether this
   * instance is the leader now; a second candidate is refused while the lease lives.
   *
   * @example
   * // internal: if (await lease.acquireOrRenew()) await rebalance();
   */
  async acquireOrRenew(): Promise<boolean> {
    const startedAt = this.#clock.now();
    const value = JSON.stringify({ instanceId: this.instanceId });
    if (this.#revision !== undefined) {
      try {
        this.#revision = await this.#kv.update(KEY, value, this.#revision);
        this.#renewedAt = startedAt;
        return true;
      } catch {
        // The lease lapsed (or the write failed): fall through and compete again like any candidate.
        this.#revision = undefined;
      }
    }
    try {
      this.#revision = await this.#kv.create(KEY, value);
      this.#renewedAt = startedAt;
      return true;
    } catch {
      return false;
    }
  }

  /** Gives the lease up at once (a clean shutdown), if this instance still holds it. */
  async release(): Promise<void> {
    const revision = this.#revision;
    this.#revision = undefined;
    if (revision !== undefined) await this.#kv.delete(KEY, { previousSeq: revision }).catch(() => undefined);
  }
}

/**
 * The instance holding the leader lease now, or undefined.
 *
 * @example
 * // internal: await currentLeader(buckets.leases); // 'instance-a'
 */
export async function currentLeader(kv: KV): Promise<string | undefined> {
  const entry = await kv.get(KEY);
  if (entry === null || entry.operation !== 'PUT') return undefined;
  return (entry.json() as { instanceId: string }).instanceId;
}
