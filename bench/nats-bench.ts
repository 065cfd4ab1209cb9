/**
 * rxflink/nats: records per second through JetStream on loopback, one instance (`npm run bench -- nats`).
 * A real nats-server (Debian's 2.9, started here with a temp store). Measured, each as a ratio to the
 * baseline of the same run:
 *   - baseline: acknowledged single-record publishes (one `js.publish` per record, 64 in flight);
 *   - producer: `natsProducer`, records packed 256 per message over 128 key-group subjects;
 *   - source: `natsSource` reading every key group (until the end) into a plain subscriber;
 *   - pipeline: producer's stream → source → keyBy → tumbling window count → `natsExactlyOnceSink`,
 *     checkpointed every second to a memory backend (records in per second, end to end);
 *   - one and two instance processes running the tasks (bench/nats-instances.ts).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  memoryBackend,
  startCheckpointing,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from '../src/index.js';
import { MemoryBlobStore } from '../src/engine/index.js';
import { natsExactlyOnceSink, natsProducer, natsSource } from '../src/nats/index.js';
import { startNatsServer } from '../test/nats/nats-server.js';
import { instancesRate } from './nats-instances.js';

const RECORDS = 200_000;
const INSTANCE_RECORDS = 100_000;
const SINGLE = 10_000;
const KEYS = 1_000;

interface Order {
  readonly k: string;
  readonly t: number;
  readonly amount: number;
}

const orders = (n: number, from = 0): Order[] =>
  Array.from({ length: n }, (_, j) => ({ k: `customer-${(from + j) % KEYS}`, t: from + j, amount: j % 100 }));

function report(name: string, records: number, ms: number, baseline: number): number {
  const rate = records / (ms / 1000);
  console.log(
    `  ${name.padEnd(58)} ${Math.round(rate).toLocaleString('en').padStart(10)} records/s  ×${(rate / baseline).toFixed(1)}`,
  );
  return rate;
}

function run(observable: { subscribe(o: { error(e: unknown): void; complete(): void }): unknown }): Promise<void> {
  return new Promise((resolve, reject) => observable.subscribe({ error: reject, complete: resolve }));
}

export async function runNatsBench(): Promise<void> {
  const server = await startNatsServer();
  const nc = await connect({ servers: server.url });
  try {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'SINGLE', subjects: ['single.*'] });
    await jsm.streams.add({ name: 'IN', subjects: ['in.*'] });
    await jsm.streams.add({ name: 'OUT', subjects: ['out.*'], duplicate_window: 120_000 * 1_000_000 });
    const markers = await new Kvm(js).create('commits');

    // Baseline: one acknowledged publish per record, 64 in flight.
    const singles = orders(SINGLE);
    let start = performance.now();
    for (let i = 0; i < singles.length; i += 64) {
      await Promise.all(
        singles.slice(i, i + 64).map((o, j) => js.publish(`single.${(i + j) % 128}`, JSON.stringify(o))),
      );
    }
    const baseline = SINGLE / ((performance.now() - start) / 1000);
    console.log(
      `  ${'acknowledged single-record publishes (baseline)'.padEnd(58)} ${Math.round(baseline).toLocaleString('en').padStart(10)} records/s  ×1.0`,
    );

    // The producer: 256 records a message, per key group.
    const producer = natsProducer<Order>(js, { prefix: 'in', key: (o) => o.k });
    const input = orders(RECORDS);
    start = performance.now();
    for (let i = 0; i < input.length; i += 10_000) await producer.publish(input.slice(i, i + 10_000));
    report('natsProducer (256 records a message, 128 key groups)', RECORDS, performance.now() - start, baseline);

    // The source alone.
    start = performance.now();
    await run(natsSource<Order>(js, { stream: 'IN', prefix: 'in', until: 'end' }));
    report('natsSource, 128 key groups, until the end', RECORDS, performance.now() - start, baseline);

    // The pipeline, checkpointed, exactly once.
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'bench', store: new MemoryBlobStore() }),
      interval: 1_000,
    });
    const sink = await natsExactlyOnceSink<unknown>(js, {
      uid: 'out',
      stream: 'OUT',
      subject: 'out.totals',
      job: 'bench',
      task: 'all',
      markers,
      recoveryTime: 60_000,
    });
    start = performance.now();
    await run(
      checkpoints.source('in', natsSource<Order>(js, { stream: 'IN', prefix: 'in', until: 'end' })).pipe(
        // Partitions interleave: event time is ordered within a key group only, so the bound covers the input.
        withEventTimeBatches({
          timestamp: (o: Order) => o.t,
          watermarks: boundedOutOfOrderness(RECORDS),
          uid: 'entry',
        }),
        keyBy((o: Order) => o.k),
        window(tumblingEventTimeWindows(10_000), { uid: 'per-10k' }).aggregate(count()),
        sink,
      ),
    );
    await checkpoints.whenFinished();
    report('producer → source → keyed window → exactly-once sink', RECORDS, performance.now() - start, baseline);
    const out = await jsm.streams.info('OUT');
    console.log(`  (${out.state.messages} output messages, ${checkpoints.stats.completed} checkpoints)`);
    // Instances as processes, with the task assignment, per-task checkpoints in the object store and fencing.
    for (const instances of [1, 2]) {
      const rate = await instancesRate(instances, INSTANCE_RECORDS);
      report(
        `${instances} instance process${instances > 1 ? 'es' : ''}, 6 tasks, producer → output`,
        INSTANCE_RECORDS,
        (INSTANCE_RECORDS / rate) * 1000,
        baseline,
      );
    }
  } finally {
    await nc.close();
    await server.stop();
  }
}
