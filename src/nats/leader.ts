/**
 * The leader lease: key `leader` in the lease bucket. An instance becomes leader by creating the key
 * (refused while another's lease lives) and stays leader by updating it with compare-and-set on the
 * revision it last wrote; a failed CAS means the lease lapsed and another instance took it.
 */

import type { KV } from '@nats-io/kv';
import { LeaseClock, type LeaseOptions } from './lease-clock.js';

const KEY = 'leader';

/** One instance's claim on the leader lease. */
export class LeaderLease {
  readonly instanceId: string;
  readonly #kv: KV;
  readonly #lease: LeaseClock;
  #revision: number | undefined;

  constructor(kv: KV, instanceId: string, options: LeaseOptions) {
    this.#kv = kv;
    this.instanceId = instanceId;
    this.#lease = new LeaseClock(options);
  }

  /** Whether this instance holds the lease and renewed it within the TTL (by its own clock). */
  get isLeader(): boolean {
    return this.#revision !== undefined && this.#lease.live;
  }

  /**
   * Renews the lease if this instance holds it, or takes it if nobody does. Resolves whether this
   * instance is the leader now; a second candidate is refused while the lease lives.
   *
   * @example
   * // internal: if (await lease.acquireOrRenew()) await rebalance();
   */
  async acquireOrRenew(): Promise<boolean> {
    const value = JSON.stringify({ instanceId: this.instanceId });
    if (this.#revision !== undefined) {
      try {
        const revision = this.#revision;
        this.#revision = await this.#lease.renewing(() => this.#kv.update(KEY, value, revision));
        return true;
      } catch {
        // The lease lapsed (or the write failed): fall through and compete again like any candidate.
        this.#revision = undefined;
      }
    }
    try {
      this.#revision = await this.#lease.renewing(() => this.#kv.create(KEY, value));
      return true;
    } catch {
      return false;
    }
  }

  /** Gives the lease up at once (a clean shutdown), if this instance still holds it. */
  async release(): Promise<void> {
    const revision = this.#revision;
    this.#revision = undefined;
    this.#lease.forget();
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
