// Issue 17 item 12: restoring the final checkpoint of a finished pipeline (event time ended, the
// watermark +∞ everywhere) would drop every new record as late. It fails by default, or starts fresh.
import { expect, it } from 'vitest';
import { tap, type Observable } from 'rxjs';
import {
  boundedOutOfOrderness,
  FinishedPipelineError,
  fromIterable,
  InvalidOptionError,
  keyBy,
  memoryBackend,
  rollingReduce,
  startCheckpointing,
  toValues,
  withEventTimeBatches,
  type Checkpointing,
  type CheckpointingOptions,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';

function totals(checkpoints: Checkpointing, values: number[], out: number[]): Observable<unknown> {
  return checkpoints
    .source('s', fromIterable(values, { from: checkpoints.position('s'), batchSize: 1, yieldAfterMs: 0 }))
    .pipe(
      withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
      keyBy(() => 'all'),
      rollingReduce((a: number, b: number) => a + b, { uid: 'total' }),
      toValues(),
      tap((total) => out.push(total)),
    );
}

const run = (observable: Observable<unknown>): Promise<void> =>
  new Promise((resolve, reject) => observable.subscribe({ error: reject, complete: () => resolve() }));

async function finished(store: MemoryBlobStore): Promise<number> {
  const checkpoints = await startCheckpointing({ backend: memoryBackend({ pipelineId: 'page', store }), interval: 1 });
  await run(totals(checkpoints, [1, 2, 3], []));
  return (await checkpoints.whenFinished())!.checkpointId;
}

const start = (store: MemoryBlobStore, options: Partial<CheckpointingOptions> = {}) =>
  startCheckpointing({ backend: memoryBackend({ pipelineId: 'page', store }), interval: 1, ...options });

it('restoring a finished pipeline drops all new input silently: now it fails with FinishedPipelineError naming the checkpoint', async () => {
  const store = new MemoryBlobStore();
  const final = await finished(store);
  const error = await start(store).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(FinishedPipelineError);
  expect(error).toMatchObject({ checkpointId: final });
  expect((error as Error).message).toMatch(/ifFinished: 'start-fresh'/);
});

it("ifFinished: 'start-fresh' starts without the finished state, counts every new record, and goes on with later ids", async () => {
  const store = new MemoryBlobStore();
  const final = await finished(store);
  const checkpoints = await start(store, { ifFinished: 'start-fresh' });
  expect(checkpoints.restored).toBeUndefined();
  const out: number[] = [];
  await run(totals(checkpoints, [10, 20], out));
  expect(out).toEqual([10, 30]);
  expect((await checkpoints.whenFinished())!.checkpointId).toBeGreaterThan(final);
});

it('ifFinished is validated', async () => {
  await expect(start(new MemoryBlobStore(), { ifFinished: 'restore' as never })).rejects.toBeInstanceOf(
    InvalidOptionError,
  );
});
