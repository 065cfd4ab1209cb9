import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { InvalidOptionError } from '../core/errors.js';
import { DEFAULT_MAX_PARALLELISM, keyGroupOf, type Key } from '../core/keys.js';
import { positiveInteger } from '../core/options.js';
import { groupInOrder, pack, packing, type PackingOptions } from './packing.js';
import { checkPrefix, partitionSubject } from './subjects.js';

/** Options of `natsProducer`. */
export interface NatsProducerOptions<T> extends PackingOptions {
  /** Subject prefix: records of key group `g` go to `<prefix>.<g>`. */
  prefix: string;
  /** The key of a record: the same key the pipeline's `keyBy` uses, so a partition is a key group. */
  key: (value: T) => Key;
  /** Number of key groups (partitions); the pipeline's max parallelism. Default 128. */
  maxParallelism?: number;
}

/** Publishes records to the partition subject of their key group. */
export interface NatsProducer<T> {
  /**
   * Publishes `values`, packed per key group, and resolves with the server's acknowledgements once
   * every message is stored (order within a key group is kept).
   */
  publish(values: readonly T[]): Promise<PubAck[]>;
}

/**
 * A producer of partitioned input: each record goes to `<prefix>.<keyGroup>`, its key group
 * computed exactly as `keyBy` computes it (`keyGroupOf(key, maxParallelism)`), with many records per
 * message. A task that reads key groups `start..end` then receives exactly the keys its keyed state
 * holds.
 *
 * @example
 * ```ts
 * const js = jetstream(await connect({ servers: 'nats://127.0.0.1:4222' }));
 * const orders = natsProducer<Order>(js, { prefix: 'orders', key: (o) => o.shop });
 * await orders.publish([{ shop: 'a', at: 1_000, total: 3 }, { shop: 'b', at: 1_200, total: 5 }]);
 * ```
 */
export function natsProducer<T>(js: JetStreamClient, options: NatsProducerOptions<T>): NatsProducer<T> {
  const prefix = checkPrefix('prefix', options.prefix);
  if (typeof options.key !== 'function')
    throw new InvalidOptionError('key', options.key, 'must be a function value => key');
  const key = options.key;
  const maxParallelism = positiveInteger('maxParallelism', options.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
  const limits = packing(options);
  return {
    publish(values) {
      const groups = groupInOrder(values, (value) => keyGroupOf(key(value), maxParallelism));
      // One connection sends in call order, so the server stores a key group's messages in order.
      const acks: Promise<PubAck>[] = [];
      for (const [group, list] of groups) {
        const subject = partitionSubject(prefix, group);
        for (const payload of pack(list, limits)) acks.push(js.publish(subject, payload));
      }
      return Promise.all(acks);
    },
  };
}
