/**
 * Membership: each instance holds a lease `member.<instance>` in the lease bucket and renews it
 * (rewrites it) well within the TTL. The server removes an entry the TTL after its last write; a
 * 2.9 server sends no watch event for that removal, so the others learn of it by polling
 * (`liveMembers`), not by watching.
 */

import type { KV } from '@nats-io/kv';
import { LeaseClock, type LeaseOptions } from './lease-clock.js';
import { fromKeyToken, keyToken } from './keys.js';

const PREFIX = 'member.';

/** One instance's membership lease. */
export class Membership {
  readonly instanceId: string;
  readonly #kv: KV;
  readonly #lease: LeaseClock;

  constructor(kv: KV, instanceId: string, options: LeaseOptions) {
    this.#kv = kv;
    this.instanceId = instanceId;
    this.#lease = new LeaseClock(options);
  }

  /**
   * Writes the lease (joining, or renewing it). The renewal time is read before the write, so the
   * local view of the lease never outlives the server's.
   *
   * @example
   * // internal: await membership.renew();
   */
  async renew(): Promise<void> {
    const value = JSON.stringify({ instanceId: this.instanceId });
    await this.#lease.renewing(() => this.#kv.put(`${PREFIX}${keyToken(this.instanceId)}`, value));
  }

  /**
   * Whether the lease may have lapsed on the server: no renewal succeeded within the TTL. The
   * instance must then stop its tasks (they may already be another's), whatever it believes.
   */
  get lapsed(): boolean {
    return !this.#lease.live;
  }

  /** Removes the lease at once (a clean shutdown), so the others need not wait for the TTL. */
  async leave(): Promise<void> {
    this.#lease.forget();
    await this.#kv.delete(`${PREFIX}${keyToken(this.instanceId)}`);
  }
}

/**
 * The instances whose lease is live now, sorted. Polled: expiry raises no event on a 2.9 server.
 *
 * @example
 * // internal: const members = await liveMembers(buckets.leases); // ['a', 'b']
 */
export async function liveMembers(kv: KV): Promise<string[]> {
  const members: string[] = [];
  for await (const key of await kv.keys(`${PREFIX}>`)) members.push(fromKeyToken(key.slice(PREFIX.length)));
  return members.sort();
}
