// A NATS server restart mid-stream (SIGKILL, then the same port and store): the JetStream source
// recreates its consumers from the last sequence received, the exactly-once sink re-sends with the
// same message ids and re-reads its commit marker, and the output holds every result exactly once.
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  keyBy,
  mapValues,
  memoryBackend,
  rollingReduce,
  startCheckpointing,
  withEventTimeBatches,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';
import { natsExactlyOnceSink, natsSource, type NatsSourcePosition } from '../../src/nats/index.js';
import { addStream, client, collect, markerBucket, publishEvents, type Event } from './io-fixtures.js';
import { startNatsServer, type NatsTestServer } from './nats-server.js';

interface Running {
  readonly k: string;
  readonly i: number;
  readonly n: number;
}

let server: NatsTestServer;
beforeEach(async () => {
  server = await startNatsServer();
});
afterEach(() => server.stop());

it('a server restart mid-stream is survived: source and sink reconnect and continue, every result exactly once', async () => {
  const { nc, js, jsm } = await client(server.url);
  await addStream(jsm, 'IN', 'in');
  await addStream(jsm, 'OUT', 'out');
  const markers = await markerBucket(js);
  const events = await publishEvents(js, 'in', 20_000, { keys: 16, maxParallelism: 4, perMessage: 20 });

  const checkpoints = await startCheckpointing({
    backend: memoryBackend({ pipelineId: 'p', store: new MemoryBlobStore() }),
    interval: 20,
  });
  const source = natsSource<Event>(js, {
    stream: 'IN',
    prefix: 'in',
    maxParallelism: 4,
    until: 'end',
    fetchMessages: 2,
    fetchExpires: 1_000,
    batchSize: 40,
    from: checkpoints.position<NatsSourcePosition>('in'),
  });
  const sink = await natsExactlyOnceSink<Running, string>(js, {
    uid: 'out',
    stream: 'OUT',
    subject: 'out.0',
    job: 'running',
    task: 'all',
    markers,
    recoveryTime: 30_000,
  });
  let finished = false;
  let restartedMidStream: Promise<boolean> | undefined;
  checkpoints.completed.subscribe((info) => {
    if (info.checkpointId === 2) restartedMidStream = server.restart().then(() => !finished);
  });
  await collect(
    checkpoints.source('in', source).pipe(
      withEventTimeBatches({ timestamp: (e: Event) => e.t, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
      mapValues((e: Event): Running => ({ k: e.k, i: e.i, n: 1 })),
      keyBy((r: Running) => r.k),
      rollingReduce<Running, string>((a, r) => ({ k: r.k, i: r.i, n: a.n + r.n }), { uid: 'running' }),
      sink,
    ),
  );
  finished = true;
  await checkpoints.whenFinished();
  expect(await restartedMidStream).toBe(true);

  // Every event's running count, once: the n-th event of a key has count n.
  const seen = new Map<string, number>();
  const expected = events.map((e) => {
    const n = (seen.get(e.k) ?? 0) + 1;
    seen.set(e.k, n);
    return `${e.k}#${e.i}=${n}`;
  });
  const out = await collect(natsSource<Running>(js, { stream: 'OUT', prefix: 'out', maxParallelism: 1, until: 'end' }));
  expect(
    out
      .flat()
      .map((r) => `${r.k}#${r.i}=${r.n}`)
      .sort(),
  ).toEqual(expected.sort());
  await nc.close();
}, 90_000);
