// docs/nats.md "Subject mapping", checked with the real server: external producers publish to
// `ingest.<key>` and the server's `partition(n, 1)` mapping moves each message to `orders.<p>`. The
// server hashes the key token with FNV-1a (32 bit) mod n, not with the library's murmur key groups,
// so a mapped partition is a key group in name only: a key's records land where the mapping puts
// them, which is the key group keyBy computes for only about one key in n.
import { afterEach, expect, it } from 'vitest';
import { keyGroupOf } from '../../src/core/keys.js';
import { natsSource, partitionMapping } from '../../src/nats/index.js';
import { addStream, client, collect } from './io-fixtures.js';
import { startNatsServer, type NatsTestServer } from './nats-server.js';

const PARTITIONS = 8;
let server: NatsTestServer | undefined;
afterEach(() => server?.stop());

/** The server's partition function, as a reference model: FNV-1a over the token's bytes, mod n. */
function fnv1aPartition(token: string, n: number): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(token)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}

it('partition(n, 1) mapping: a key lands on FNV-1a(key) mod n, not on its key group; a task reads what the mapping put in its range', async () => {
  const config = partitionMapping('ingest', 'orders', PARTITIONS);
  expect(config).toBe('mappings: { "ingest.*": "orders.{{partition(8,1)}}" }');
  server = await startNatsServer({ config });
  const { nc, js, jsm } = await client(server.url);
  await addStream(jsm, 'ORDERS', 'orders');
  const keys = Array.from({ length: 64 }, (_, i) => `customer-${i}`);
  for (const key of keys) {
    const ack = await js.publish(`ingest.${key}`, JSON.stringify([{ key }]));
    expect(ack.stream).toBe('ORDERS');
  }
  // Where each key's message was stored: the mapped subject.
  const placed = new Map<string, number>();
  for (let p = 0; p < PARTITIONS; p++) {
    const read = await collect(
      natsSource<{ key: string }>(js, {
        stream: 'ORDERS',
        prefix: 'orders',
        maxParallelism: PARTITIONS,
        keyGroups: { start: p, end: p },
        until: 'end',
      }),
    );
    for (const { key } of read.flat()) placed.set(key, p);
  }
  expect(placed.size).toBe(keys.length);
  for (const key of keys) expect(placed.get(key), key).toBe(fnv1aPartition(key, PARTITIONS));
  // The library's key groups differ for most keys: mixing producers splits a key's state.
  const agree = keys.filter((key) => keyGroupOf(key, PARTITIONS) === placed.get(key)).length;
  expect(agree).toBeLessThan(keys.length / 2);
  await nc.close();
}, 30_000);
