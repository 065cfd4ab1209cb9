/**
 * rxflink/nats with one and with two instances as child processes (test/nats/fixtures/pipeline-process.ts:
 * per task, natsSource → per-partition watermarks → keyBy → tumbling window count → fenced exactly-once
 * sink, checkpointed in the object store): records per second from the first publish to the last
 * window result in the output stream, the instances already running their tasks.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { keyGroupOf } from '../src/core/keys.js';
import { natsProducer, natsSource, taskSpecs } from '../src/nats/index.js';
import {
  describeResult,
  E2E,
  type E2eRecord,
  type E2eResult,
  e2eKeys,
  e2eReference,
} from '../test/nats/fixtures/e2e-config.js';
import { pollUntil } from '../test/nats/helpers.js';
import { startNatsServer } from '../test/nats/nats-server.js';
import { Processes } from '../test/nats/processes.js';

const WINDOW_MS = 10_000;

/** Records per second through `instances` instance processes, `records` records over 40 keys and 16 key groups. */
export async function instancesRate(instances: number, records: number): Promise<number> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  const tasks = taskSpecs(E2E.tasks, E2E.maxParallelism).map((t) => t.id);
  const processes = new Processes('pipeline-process.ts', server.url, 'bench', tasks, {
    E2E_WINDOW_MS: String(WINDOW_MS),
  });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'IN', subjects: ['in.*'] });
    await jsm.streams.add({ name: 'OUT', subjects: ['out.*'], duplicate_window: 120_000 * 1_000_000 });
    const ids = Array.from({ length: instances }, (_, i) => `i${i}`);
    for (const id of ids) processes.launch(id);
    await pollUntil(() => processes.owners(nc, E2E.leaseTtlMs), processes.settledOn(ids), 60_000);

    const keys = e2eKeys(40);
    const input = Array.from({ length: records }, (_, t): E2eRecord => ({ k: keys[t % keys.length]!, t }));
    const ends = new Map<number, E2eRecord>();
    for (const k of keys) ends.set(keyGroupOf(k, E2E.maxParallelism), { k, t: E2E.end });
    const expected = e2eReference(input, WINDOW_MS).length;
    const producer = natsProducer<E2eRecord>(js, { prefix: 'in', key: (r) => r.k, maxParallelism: E2E.maxParallelism });
    const start = performance.now();
    for (let i = 0; i < input.length; i += 10_000) await producer.publish(input.slice(i, i + 10_000));
    await producer.publish([...ends.values()]);
    const read = async () => {
      const out: E2eResult[][] = [];
      await new Promise<void>((resolve, reject) =>
        natsSource<E2eResult>(js, { stream: 'OUT', prefix: 'out', maxParallelism: 1, until: 'end' }).subscribe({
          next: (batch) => out.push([...batch]),
          error: reject,
          complete: resolve,
        }),
      );
      return out.flat().map(describeResult);
    };
    const out = await pollUntil(read, (o) => o.length >= expected, 300_000);
    const ms = performance.now() - start;
    if (new Set(out).size !== expected) throw new Error(`${out.length} results, expected ${expected} distinct`);
    return records / (ms / 1000);
  } finally {
    await processes.killAll();
    await nc.close();
    await server.stop();
  }
}
