// The JetStream source of rxflink/nats against a real server: positions per partition in each
// checkpoint, an exact resume after a restore, and bounded fetches under a slow consumer.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Subscription } from 'rxjs';
import {
  asyncSinkValues,
  boundedOutOfOrderness,
  exactlyOnceSink,
  memoryBackend,
  startCheckpointing,
  withEventTimeBatches,
  type Checkpointing,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';
import { keyGroupOf } from '../../src/core/keys.js';
import { natsSource, type NatsSourcePosition } from '../../src/nats/index.js';
import { addStream, client, collect, inKeyOrder, publishEvents, type Event } from './io-fixtures.js';
import { startNatsServer, type NatsTestServer } from './nats-server.js';

const MAX_PARALLELISM = 8;
let server: NatsTestServer;
beforeEach(async () => {
  server = await startNatsServer();
});
afterEach(() => server.stop());

/** The pipeline under test: the source's events, committed per checkpoint into `commits`. */
function pipeline(checkpoints: Checkpointing, js: Parameters<typeof natsSource>[0], commits: Map<number, Event[]>) {
  const source = natsSource<Event>(js, {
    stream: 'IN',
    prefix: 'in',
    maxParallelism: MAX_PARALLELISM,
    until: 'end',
    fetchMessages: 3,
    batchSize: 7,
    from: checkpoints.position<NatsSourcePosition>('in'),
  });
  return checkpoints.source('in', source).pipe(
    withEventTimeBatches({ timestamp: (e: Event) => e.t, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
    exactlyOnceSink<Event, undefined>(
      async (values, id) => {
        commits.set(id, [...values]);
      },
      { uid: 'sink' },
    ),
  );
}

describe('natsSource', () => {
  it('reads every partition of its key groups, each in order, and completes at the end with until: end', async () => {
    const { nc, js, jsm } = await client(server.url);
    await addStream(jsm, 'IN', 'in');
    const events = await publishEvents(js, 'in', 500, { keys: 20, maxParallelism: MAX_PARALLELISM, perMessage: 10 });
    const read = (
      await collect(
        natsSource<Event>(js, { stream: 'IN', prefix: 'in', maxParallelism: MAX_PARALLELISM, until: 'end' }),
      )
    ).flat();
    expect(read.map((e) => e.i).sort((a, b) => a - b)).toEqual(events.map((e) => e.i));
    expect(inKeyOrder(read)).toBe(true);
    // A task of key groups 2..4 reads exactly the keys whose key group is in its range.
    const task = (
      await collect(
        natsSource<Event>(js, {
          stream: 'IN',
          prefix: 'in',
          maxParallelism: MAX_PARALLELISM,
          keyGroups: { start: 2, end: 4 },
          until: 'end',
        }),
      )
    ).flat();
    const inRange = events.filter((e) => {
      const g = keyGroupOf(e.k, MAX_PARALLELISM);
      return g >= 2 && g <= 4;
    });
    expect(task.map((e) => e.i).sort((a, b) => a - b)).toEqual(inRange.map((e) => e.i));
    await nc.close();
  }, 30_000);

  it('records a position per partition in each checkpoint, and a restore resumes exactly there: no loss, no duplicates, as a run without restore', async () => {
    const { nc, js, jsm } = await client(server.url);
    await addStream(jsm, 'IN', 'in');
    const events = await publishEvents(js, 'in', 3_000, { keys: 50, maxParallelism: MAX_PARALLELISM, perMessage: 10 });
    const store = new MemoryBlobStore();
    const start = () =>
      startCheckpointing({ backend: memoryBackend({ pipelineId: 'p', store, keep: 3 }), interval: 5 });

    // The reference: a run without restore.
    const reference = new Map<number, Event[]>();
    const whole = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'ref', store: new MemoryBlobStore() }),
      interval: 5,
    });
    await collect(pipeline(whole, js, reference));
    await whole.whenFinished();
    const expected = [...reference.values()]
      .flat()
      .map((e) => e.i)
      .sort((a, b) => a - b);
    expect(expected).toEqual(events.map((e) => e.i));

    // Run 1 is dropped (unsubscribed: a crash) after its third checkpoint, before the end.
    const commits = new Map<number, Event[]>();
    const first = await start();
    let subscription: Subscription | undefined;
    await new Promise<void>((resolve, reject) => {
      first.completed.subscribe((info) => {
        if (info.checkpointId >= 3) {
          subscription?.unsubscribe();
          resolve();
        }
      });
      subscription = pipeline(first, js, commits).subscribe({
        error: reject,
        complete: () => reject(new Error('run 1 ended before its crash')),
      });
    });
    await first.close();

    // Run 2 restores: the position names every partition; the source resumes there.
    const second = await start();
    const position = second.position<NatsSourcePosition>('in')!;
    expect(Object.keys(position.partitions).sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
    expect(Object.values(position.partitions).some((p) => p.skip > 0)).toBe(true); // inside a packed message
    await collect(pipeline(second, js, commits));
    await second.whenFinished();
    const all = [...commits.values()].flat();
    expect(all.map((e) => e.i).sort((a, b) => a - b)).toEqual(expected);
    await nc.close();
  }, 60_000);

  it('keeps at most fetchMessages messages per partition in memory behind a slow consumer', async () => {
    const { nc, js, jsm } = await client(server.url);
    await addStream(jsm, 'IN', 'in');
    // 2 partitions (maxParallelism 2), 10 records a message: 100 messages.
    const events = await publishEvents(js, 'in', 1_000, { keys: 10, maxParallelism: 2, perMessage: 10 });
    const source = natsSource<Event>(js, {
      stream: 'IN',
      prefix: 'in',
      maxParallelism: 2,
      until: 'end',
      fetchMessages: 4,
      batchSize: 5,
    });
    expect(source.maxBufferedMessages).toBe(8);
    let most = 0;
    const written = (
      await collect(
        source.pipe(
          asyncSinkValues(
            async (values) => {
              most = Math.max(most, source.bufferedMessages);
              await new Promise((resolve) => setTimeout(resolve, 1));
              return values;
            },
            { bufferSize: 10 },
          ),
        ),
      )
    ).flat();
    expect(written).toHaveLength(events.length);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(source.maxBufferedMessages);
    await nc.close();
  }, 60_000);

  it('a caught-up live source lets checkpoints complete while it waits for input (its pull held every barrier back)', async () => {
    const { nc, js, jsm } = await client(server.url);
    await addStream(jsm, 'IN', 'in');
    await publishEvents(js, 'in', 100, { keys: 10, maxParallelism: MAX_PARALLELISM, perMessage: 10 });
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'live', store: new MemoryBlobStore() }),
      interval: 20,
    });
    const source = natsSource<Event>(js, { stream: 'IN', prefix: 'in', maxParallelism: MAX_PARALLELISM });
    let received = 0;
    const subscription = checkpoints
      .source('in', source)
      .pipe(withEventTimeBatches({ timestamp: (e: Event) => e.t, watermarks: boundedOutOfOrderness(0), uid: 'entry' }))
      .subscribe((batch) => {
        received += batch.length;
      });
    // Every record read: from now on the source only waits on the server.
    while (received < 100) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = checkpoints.stats.completed;
    const later = await new Promise<number>((resolve) => {
      const s = checkpoints.completed.subscribe((info) => {
        if (info.checkpointId >= before + 3) {
          s.unsubscribe();
          resolve(info.checkpointId);
        }
      });
    });
    expect(later).toBeGreaterThanOrEqual(before + 3);
    subscription.unsubscribe();
    await checkpoints.close();
    await nc.close();
  }, 30_000);
});
