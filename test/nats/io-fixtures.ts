// Shared set-up of the rxflink/nats input and output tests: a connection, streams, and input.
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Observable } from 'rxjs';
import { natsProducer } from '../../src/nats/index.js';

/** A record of the tests' input: key `k`, sequence number `i` (unique), event time `t`. */
export interface Event {
  readonly k: string;
  readonly i: number;
  readonly t: number;
}

/** A client that keeps reconnecting through a server restart. */
export async function client(url: string): Promise<{ nc: NatsConnection; js: JetStreamClient; jsm: JetStreamManager }> {
  const nc = await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  return { nc, js: jetstream(nc), jsm: await jetstreamManager(nc) };
}

/** A stream `name` over `<prefix>.*` with a duplicate window of `duplicateWindowMs`. */
export async function addStream(jsm: JetStreamManager, name: string, prefix: string, duplicateWindowMs = 120_000) {
  await jsm.streams.add({ name, subjects: [`${prefix}.*`], duplicate_window: duplicateWindowMs * 1_000_000 });
}

/** The KV bucket of commit markers. */
export function markerBucket(js: JetStreamClient, name = 'commits'): Promise<KV> {
  return new Kvm(js).create(name);
}

/** `n` events over `keys` keys, one time unit apart, published to `<prefix>.<keyGroup>`. */
export async function publishEvents(
  js: JetStreamClient,
  prefix: string,
  n: number,
  options: { keys: number; maxParallelism: number; perMessage: number; from?: number },
): Promise<Event[]> {
  const events = Array.from({ length: n }, (_, j): Event => {
    const i = (options.from ?? 0) + j;
    return { k: `key-${i % options.keys}`, i, t: i };
  });
  const producer = natsProducer<Event>(js, {
    prefix,
    key: (e) => e.k,
    maxParallelism: options.maxParallelism,
    maxRecordsPerMessage: options.perMessage,
  });
  await producer.publish(events);
  return events;
}

/** Subscribes and resolves with the values once the observable completes. */
export function collect<T>(observable: Observable<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const out: T[] = [];
    observable.subscribe({ next: (v) => out.push(v), error: reject, complete: () => resolve(out) });
  });
}

/** Whether each key's events come in increasing `i` (the order of a partition is kept). */
export function inKeyOrder(events: readonly Event[]): boolean {
  const last = new Map<string, number>();
  for (const e of events) {
    if ((last.get(e.k) ?? -1) >= e.i) return false;
    last.set(e.k, e.i);
  }
  return true;
}
