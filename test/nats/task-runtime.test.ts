// Checkpointed pipelines per task: a task that moves off a dead instance is restored on its new
// owner from the object store, and the dead owner's late checkpoint is refused by the fence.
import { Subject } from 'rxjs';
import { expect, it } from 'vitest';
import { StorageError } from '../../src/checkpoint/index.js';
import { type KeyGroupRange, keyGroupOf } from '../../src/engine/index.js';
import {
  boundedOutOfOrderness,
  type Checkpointing,
  fromPush,
  keyBy,
  rollingReduce,
  startCheckpointing,
  toValues,
  withEventTimeBatches,
} from '../../src/index.js';
import { openCoordinationBuckets } from '../../src/nats/buckets.js';
import { TaskInstance } from '../../src/nats/instance.js';
import { checkpointedTasks } from '../../src/nats/task-runtime.js';
import { taskSpecs } from '../../src/nats/tasks.js';
import { pollUntil, natsServerPerFile } from './helpers.js';

const nats = natsServerPerFile();

const TASKS = taskSpecs(4, 128);

/** The first key `user-<n>` whose key group (of 128, keyBy's default) lies in `range`. */
function keyIn(range: KeyGroupRange): string {
  for (let n = 0; ; n++) {
    const group = keyGroupOf(`user-${n}`, 128);
    if (group >= range.start && group <= range.end) return `user-${n}`;
  }
}

/** What each instance's pipelines did: per task, the checkpoint restored and the running checkpointing. */
interface Trace {
  restored: Map<string, number | undefined>;
  /** The checkpoint each task's pipeline stored after its first input. */
  stored: Map<string, number>;
  totals: Map<string, number[]>;
  checkpoints: Map<string, Checkpointing>;
}

function instance(id: string, buckets: Awaited<ReturnType<typeof openCoordinationBuckets>>): [TaskInstance, Trace] {
  const trace: Trace = { restored: new Map(), stored: new Map(), totals: new Map(), checkpoints: new Map() };
  const handlers = checkpointedTasks({
    buckets,
    async run(task, backend) {
      const checkpoints = await startCheckpointing({ backend, interval: 60_000, keyGroups: task.keyGroups });
      trace.restored.set(task.id, checkpoints.restored?.checkpointId);
      trace.checkpoints.set(task.id, checkpoints);
      // A key of the task's own key groups: state of other groups is left out on restore.
      const key = keyIn(task.keyGroups);
      const input = new Subject<number>();
      const totals: number[] = [];
      let counted: () => void = () => undefined;
      const firstTotal = new Promise<void>((resolve) => {
        counted = resolve;
      });
      trace.totals.set(task.id, totals);
      const subscription = checkpoints
        .source('input', fromPush(input, { bufferSize: 10, overflow: 'error' }))
        .pipe(
          withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
          keyBy(() => key),
          rollingReduce((a: number, b: number) => a + b, { uid: 'total' }),
          toValues(),
        )
        .subscribe((total) => {
          totals.push(total);
          counted();
        });
      input.next(10);
      // The checkpoint after the input was counted holds the running total.
      await firstTotal;
      trace.stored.set(task.id, (await checkpoints.checkpoint()).checkpointId);
      return {
        async stop() {
          subscription.unsubscribe();
          await checkpoints.close();
        },
      };
    },
  });
  return [new TaskInstance({ instanceId: id, buckets, tasks: TASKS, handlers }), trace];
}

it('a task moved off a dead instance is restored from its checkpoint on the new owner; the dead one cannot checkpoint it any more', async () => {
  const buckets = await openCoordinationBuckets(nats.nc, { application: 'runtime', leaseTtlMs: 1000 });
  const [a, traceA] = instance('a', buckets);
  const [b, traceB] = instance('b', buckets);
  await pollUntil(
    async () => {
      await a.tick();
      await b.tick();
      return [a.running.length, b.running.length];
    },
    ([x, y]) => x === 2 && y === 2,
  );
  const moved = a.running;
  // a dies (no more rounds); b takes its tasks once its lease lapses and restores them.
  await pollUntil(
    async () => {
      await b.tick();
      return b.running.length;
    },
    (n) => n === TASKS.length,
    10_000,
  );
  for (const task of moved) {
    // b restored the checkpoint a stored last, and its pipeline went on from a's state.
    expect(traceB.restored.get(task)).toBe(traceA.stored.get(task));
    expect(traceB.totals.get(task)).toEqual([traceA.totals.get(task)!.at(-1)! + 10]);
  }
  const late = await traceA.checkpoints
    .get(moved[0]!)!
    .checkpoint()
    .catch((e: unknown) => e);
  expect(late).toBeInstanceOf(StorageError);
  expect(late).toMatchObject({ failure: 'not-owner' });
  await b.stop();
}, 30_000);
