// Permanent publish errors of the exactly-once sink fail at once with a typed error naming the
// subject (no stream captures it; a message over the stream's size limit), instead of being retried
// for the whole recovery time like a timeout or a disconnect; a fenced task publishes nothing.
import { asyncScheduler } from 'rxjs';
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  fromIterable,
  memoryBackend,
  startCheckpointing,
  withEventTimeBatches,
  noWatermarks,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';
import { NatsPublishError, natsExactlyOnceSink, TaskFence, TaskFencedError } from '../../src/nats/index.js';
import { openCoordinationBuckets } from '../../src/nats/buckets.js';
import { addStream, client, collect, markerBucket } from './io-fixtures.js';
import { type NatsTestServer, startNatsServer } from './nats-server.js';

let server: NatsTestServer;
beforeEach(async () => {
  server = await startNatsServer();
});
afterEach(() => server.stop());

/** Runs values through the sink; resolves with the error the pipeline failed with, and how long it took. */
async function failureOf(
  values: string[],
  sinkOptions: { subject: string; fence?: { assertEpoch(): Promise<void> } },
): Promise<{ error: unknown; ms: number }> {
  const { nc, js, jsm } = await client(server.url);
  await addStream(jsm, 'OUT', 'out').catch(() => undefined);
  const markers = await markerBucket(js);
  const checkpoints = await startCheckpointing({
    backend: memoryBackend({ pipelineId: 'p', store: new MemoryBlobStore() }),
    interval: 10,
  });
  const sink = await natsExactlyOnceSink<string>(js, {
    uid: 'out',
    stream: 'OUT',
    job: 'j',
    task: 't',
    markers,
    recoveryTime: 30_000,
    scheduler: asyncScheduler,
    ...sinkOptions,
  });
  const start = Date.now();
  const error = await collect(
    checkpoints
      .source('in', fromIterable(values))
      .pipe(withEventTimeBatches({ timestamp: () => 0, watermarks: noWatermarks(), uid: 'entry' }), sink),
  )
    .then(() => checkpoints.whenFinished())
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  const ms = Date.now() - start;
  await checkpoints.close().catch(() => undefined);
  await nc.close();
  return { error, ms };
}

const causeOf = (error: unknown): unknown => (error as { cause?: unknown }).cause ?? error;

it('no stream captures the subject: NatsPublishError naming the subject, at once, not after the recovery time', async () => {
  const { error, ms } = await failureOf(['a', 'b'], { subject: 'nowhere' });
  expect(causeOf(error)).toBeInstanceOf(NatsPublishError);
  expect(causeOf(error)).toMatchObject({ subject: 'nowhere', stream: 'OUT' });
  expect((causeOf(error) as Error).message).toMatch(/no stream captures this subject/);
  expect(ms).toBeLessThan(20_000);
}, 30_000);

it('a message over the stream max_msg_size: NatsPublishError with the server reason, at once', async () => {
  const { jsm, nc } = await client(server.url);
  await jsm.streams.add({ name: 'OUT', subjects: ['out.*'], duplicate_window: 120_000 * 1_000_000, max_msg_size: 64 });
  await nc.close();
  const { error, ms } = await failureOf(['x'.repeat(200)], { subject: 'out.0' });
  expect(causeOf(error)).toBeInstanceOf(NatsPublishError);
  expect(causeOf(error)).toMatchObject({ subject: 'out.0' });
  expect((causeOf(error) as Error).message).toMatch(/message size exceeds maximum/);
  expect(ms).toBeLessThan(20_000);
}, 30_000);

it('the fence option: a task taken over by another instance publishes nothing (TaskFencedError before the publish)', async () => {
  const { nc, jsm } = await client(server.url);
  const buckets = await openCoordinationBuckets(nc, { application: 'fenced' });
  const old = await TaskFence.acquire(buckets.tasks, 'task-0', 'a');
  await TaskFence.acquire(buckets.tasks, 'task-0', 'b'); // b takes the task over
  const { error } = await failureOf(['a', 'b'], { subject: 'out.0', fence: old });
  expect(causeOf(error)).toBeInstanceOf(TaskFencedError);
  expect((await jsm.streams.info('OUT')).state.messages).toBe(0);
  await nc.close();
}, 30_000);
