/**
 * The JetStream buckets an application's instances coordinate through: a KV bucket of leases whose
 * entries expire (the bucket's TTL is the lease TTL), a KV bucket of tasks (the assignment, each
 * task's owner and epoch, the checkpoint pointers) that never expires, and an object store of
 * task checkpoints. Every instance of the application opens the same three.
 */

import type { NatsConnection } from '@nats-io/transport-node';
import { type KV, Kvm } from '@nats-io/kv';
import { type ObjectStore, Objm } from '@nats-io/obj';
import { InvalidOptionError } from '../core/errors.js';

/** Options of `openCoordinationBuckets`. */
export interface CoordinationBucketOptions {
  /** The application's name, shared by all its instances: `[A-Za-z0-9_-]+`, it prefixes the bucket names. */
  readonly application: string;
  /**
   * How long a membership or leader lease lives without renewal, in ms. Default 10 000. An instance
   * that stops renewing (dead, paused, cut off) loses its tasks this long after its last renewal.
   */
  readonly leaseTtlMs?: number;
}

/** The opened buckets and the lease TTL they were made with. */
export interface CoordinationBuckets {
  /** `<application>-leases`: `member.<instance>` and `leader`, expiring after `leaseTtlMs`. */
  readonly leases: KV;
  /** `<application>-tasks`: `assignment`, `task.<task>` (owner, epoch, commit marker), checkpoint pointers. */
  readonly tasks: KV;
  /** `<application>-checkpoints`: the task checkpoints' snapshot blobs. */
  readonly checkpoints: ObjectStore;
  readonly leaseTtlMs: number;
}

/** The default lease TTL: Kafka Streams' default session timeout is 45 s; ours favours a quick takeover. */
export const DEFAULT_LEASE_TTL_MS = 10_000;

/**
 * Creates (or opens) the application's coordination buckets. A lease bucket that exists with
 * another TTL is refused: every instance must agree on when a lease lapses.
 *
 * @example
 * // internal: const buckets = await openCoordinationBuckets(nc, { application: 'orders', leaseTtlMs: 5000 });
 */
export async function openCoordinationBuckets(
  nc: NatsConnection,
  options: CoordinationBucketOptions,
): Promise<CoordinationBuckets> {
  const { application } = options;
  if (typeof application !== 'string' || !/^[A-Za-z0-9_-]+$/.test(application)) {
    throw new InvalidOptionError('application', application, 'must be a non-empty string of A-Z, a-z, 0-9, _ and -');
  }
  const leaseTtlMs = options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
  if (!Number.isInteger(leaseTtlMs) || leaseTtlMs < 1000) {
    throw new InvalidOptionError('leaseTtlMs', leaseTtlMs, 'must be an integer of at least 1000 (ms)');
  }
  const kvm = new Kvm(nc);
  const leases = await kvm.create(`${application}-leases`, { ttl: leaseTtlMs, history: 1 });
  const existing = (await leases.status()).ttl;
  if (existing !== leaseTtlMs) {
    throw new InvalidOptionError(
      'leaseTtlMs',
      leaseTtlMs,
      `differs from the ${existing} ms of the existing bucket ${application}-leases: every instance must use the same TTL`,
    );
  }
  const tasks = await kvm.create(`${application}-tasks`, { history: 1 });
  const checkpoints = await new Objm(nc).create(`${application}-checkpoints`);
  return { leases, tasks, checkpoints, leaseTtlMs };
}
