// The exactly-once JetStream sink of rxflink/nats against a real server: a crash mid-stream and a
// restore give every result exactly once in the output stream, even when the crash comes between
// publishing a checkpoint's output and writing its commit marker; the duplicate window is checked
// at open; commit-marker conflicts and fenced writers get typed errors.
import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { asyncScheduler, type Subscription } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  keyBy,
  mapValues,
  memoryBackend,
  startCheckpointing,
  rollingReduce,
  toValues,
  withEventTimeBatches,
  type Checkpointing,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';
import {
  CommitConflictError,
  CommitMarkerStore,
  DuplicateWindowError,
  FencedError,
  natsExactlyOnceSink,
  natsSource,
  type NatsSourcePosition,
} from '../../src/nats/index.js';
import { addStream, client, collect, markerBucket, publishEvents, type Event } from './io-fixtures.js';
import { startNatsServer, type NatsTestServer } from './nats-server.js';

const MAX_PARALLELISM = 4;
let server: NatsTestServer;
beforeEach(async () => {
  server = await startNatsServer();
});
afterEach(() => server.stop());

/** A running count per key: deterministic whatever the interleaving of partitions (a key's order is kept). */
interface Result {
  readonly k: string;
  readonly i: number;
  readonly n: number;
}
const describeResult = (r: Result): string => `${r.k}#${r.i}=${r.n}`;
const runningCount = () =>
  [
    mapValues((e: Event): Result => ({ k: e.k, i: e.i, n: 1 })),
    keyBy((r: Result) => r.k),
    rollingReduce<Result, string>((a, r) => ({ k: r.k, i: r.i, n: a.n + r.n }), { uid: 'running' }),
  ] as const;

/** The IN stream's source and entry. */
function counts(js: JetStreamClient, from: NatsSourcePosition | undefined) {
  const source = natsSource<Event>(js, {
    stream: 'IN',
    prefix: 'in',
    maxParallelism: MAX_PARALLELISM,
    until: 'end',
    fetchMessages: 2,
    batchSize: 50,
    from,
  });
  return {
    source,
    entry: withEventTimeBatches({ timestamp: (e: Event) => e.t, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
  };
}

/** The results as the reference run computes them, without checkpoints or NATS output. */
async function reference(js: JetStreamClient): Promise<string[]> {
  const { source, entry } = counts(js, undefined);
  const [map, key, reduce] = runningCount();
  const results = await collect(source.pipe(entry, map, key, reduce, toValues()));
  return results.map(describeResult).sort();
}

/** The checkpointed pipeline, publishing through the exactly-once sink into OUT. */
async function run(js: JetStreamClient, checkpoints: Checkpointing, markers: KV) {
  const { source, entry } = counts(js, checkpoints.position<NatsSourcePosition>('in'));
  const sink = await natsExactlyOnceSink<Result, string>(js, {
    uid: 'out',
    stream: 'OUT',
    subject: 'out.0',
    job: 'counts',
    task: 'all',
    markers,
    recoveryTime: 30_000,
    maxRecordsPerMessage: 7,
  });
  const [map, key, reduce] = runningCount();
  return checkpoints.source('in', source).pipe(entry, map, key, reduce, sink);
}

/** Every result in the OUT stream, in stream order. */
async function output(js: JetStreamClient): Promise<string[]> {
  const read = await collect(natsSource<Result>(js, { stream: 'OUT', prefix: 'out', maxParallelism: 1, until: 'end' }));
  return read.flat().map(describeResult);
}

/** A KV whose writes, once `crash` is armed, drop the pipeline instead of writing: a kill between publish and marker. */
function crashingKv(kv: KV, crash: { armed: boolean; now: () => void }): KV {
  const hold = (write: () => Promise<number>): Promise<number> => {
    if (!crash.armed) return write();
    crash.now();
    return new Promise(() => {});
  };
  return new Proxy(kv, {
    get(target, name, receiver) {
      if (name === 'update') return (k: string, d: string, v: number) => hold(() => target.update(k, d, v));
      if (name === 'create') return (k: string, d: string) => hold(() => target.create(k, d));
      return Reflect.get(target, name, receiver);
    },
  });
}

describe('natsExactlyOnceSink', () => {
  it('a crash after publishing a checkpoint and before its commit marker, then a restore: every result once in the output stream', async () => {
    const { nc, js, jsm } = await client(server.url);
    await addStream(jsm, 'IN', 'in');
    await addStream(jsm, 'OUT', 'out');
    const kv = await markerBucket(js);
    await publishEvents(js, 'in', 4_000, { keys: 12, maxParallelism: MAX_PARALLELISM, perMessage: 25 });
    const expected = await reference(js);
    expect(expected).toHaveLength(4_000);

    const store = new MemoryBlobStore();
    const start = () =>
      startCheckpointing({ backend: memoryBackend({ pipelineId: 'p', store, keep: 3 }), interval: 5 });
    // Run 1: its commit of checkpoint 3 publishes the output, then dies before the marker is written.
    const first = await start();
    let subscription: Subscription | undefined;
    const crash = { armed: false, now: () => {} };
    const crashed = new Promise<void>((resolve) => {
      crash.now = () => {
        asyncScheduler.schedule(() => {
          subscription?.unsubscribe();
          resolve();
        });
      };
    });
    first.completed.subscribe((info) => {
      if (info.checkpointId === 3) crash.armed = true;
    });
    subscription = (await run(js, first, crashingKv(kv, crash))).subscribe();
    await crashed;
    await first.close();
    const published = await output(js);
    expect(published.length).toBeGreaterThan(0);
    expect(published.length).toBeLessThan(expected.length);
    const marker = new CommitMarkerStore(kv, 'counts.all', { scheduler: asyncScheduler, retryFor: 1, backoff: 1 });
    expect((await marker.read())?.checkpointId ?? 0).toBeLessThan(3);

    // Run 2 restores checkpoint 3 and commits it again: the server drops the re-sent messages.
    const second = await start();
    await collect(await run(js, second, kv));
    await second.whenFinished();
    expect((await output(js)).sort()).toEqual(expected);
    await nc.close();
  }, 60_000);

  it('refuses to open when the stream duplicate window is shorter than the recovery time (DuplicateWindowError)', async () => {
    const { nc, js, jsm } = await client(server.url);
    await addStream(jsm, 'OUT', 'out', 1_000);
    const markers = await markerBucket(js);
    const error = await natsExactlyOnceSink(js, {
      uid: 'out',
      stream: 'OUT',
      subject: 'out.0',
      job: 'j',
      task: 't',
      markers,
      recoveryTime: 60_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DuplicateWindowError);
    expect(error).toMatchObject({ stream: 'OUT', windowMs: 1_000, recoveryTimeMs: 60_000 });
    await nc.close();
  }, 30_000);

  it('a commit marker changed between read and write gives CommitConflictError; an older epoch gives FencedError', async () => {
    const { nc, js } = await client(server.url);
    const kv = await markerBucket(js);
    const retry = { scheduler: asyncScheduler, retryFor: 1_000, backoff: 10 };
    const a = new CommitMarkerStore(kv, 'j.t', retry);
    const b = new CommitMarkerStore(kv, 'j.t', retry);
    await a.read();
    await b.read();
    await a.write({ epoch: 1, checkpointId: 1, published: 3 });
    // b read before a wrote: its compare-and-set fails.
    const conflict = await b.write({ epoch: 1, checkpointId: 2, published: 1 }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(CommitConflictError);
    expect(conflict).toMatchObject({ key: 'j.t', checkpointId: 2 });
    // A new owner (epoch 2) commits; the old one (epoch 1) is fenced, stale revision or not.
    const owner = new CommitMarkerStore(kv, 'j.t', retry);
    await owner.read();
    await owner.write({ epoch: 2, checkpointId: 2, published: 1 });
    const fenced = await a.write({ epoch: 1, checkpointId: 3, published: 1 }).catch((e: unknown) => e);
    expect(fenced).toBeInstanceOf(FencedError);
    expect(fenced).toMatchObject({ epoch: 1, currentEpoch: 2 });
    await a.read();
    expect(() => a.checkFence(1)).toThrow(FencedError);
    await nc.close();
  }, 30_000);
});
