// Issue 17 item 7: a push input that has received nothing (a button nobody clicked) takes part in
// checkpoints and restores like any source, as Flink's sources take checkpoints with no data.
import { expect, it } from 'vitest';
import { Subject, type Subscription } from 'rxjs';
import {
  boundedOutOfOrderness,
  fromPush,
  keyBy,
  memoryBackend,
  rollingReduce,
  startCheckpointing,
  toValues,
  withEventTimeBatches,
  type Checkpointing,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';

function clicksPipeline(checkpoints: Checkpointing, clicks: Subject<number>): Subscription {
  return checkpoints
    .source('clicks', fromPush(clicks, { bufferSize: 10, overflow: 'error' }))
    .pipe(
      withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
      keyBy(() => 'all'),
      rollingReduce((a: number, b: number) => a + b, { uid: 'total' }),
      toValues(),
    )
    .subscribe();
}

it('a push source that has received nothing blocks every checkpoint: now it checkpoints, and restores twice in a row', async () => {
  const store = new MemoryBlobStore();
  const start = () =>
    startCheckpointing({
      backend: memoryBackend({ pipelineId: 'idle-push', store }),
      interval: 60_000,
      timeout: 2_000,
    });
  const first = await start();
  const subscription = clicksPipeline(first, new Subject<number>());
  const stored = await first.checkpoint();
  expect(stored.checkpointId).toBe(1);
  subscription.unsubscribe();
  await first.close();

  for (const expected of [1, 2]) {
    const again = await start();
    expect(again.restored?.checkpointId).toBe(expected);
    const sub = clicksPipeline(again, new Subject<number>());
    // The restore marker went through although nothing was pushed, and a checkpoint completes.
    expect((await again.checkpoint()).checkpointId).toBe(expected + 1);
    sub.unsubscribe();
    await again.close();
  }
});
