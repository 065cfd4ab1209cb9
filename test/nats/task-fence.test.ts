// Task fences on a real server: epochs grow with each owner, commits are compare-and-set on the
// task key, and a release waits for the commit in flight.
import { expect, it } from 'vitest';
import { openCoordinationBuckets } from '../../src/nats/buckets.js';
import { assertEpoch, readTaskHolder, TaskFence } from '../../src/nats/task-fence.js';
import { TaskFencedError } from '../../src/nats/task-fenced-error.js';
import { natsServerPerFile } from './helpers.js';

const nats = natsServerPerFile();

it('each new owner has a higher epoch and sees the last marker; the old epoch is refused by assertEpoch and commit', async () => {
  const { tasks } = await openCoordinationBuckets(nats.nc, { application: 'epochs' });
  const first = await TaskFence.acquire(tasks, 'orders/eu.1', 'a');
  await first.commit({ checkpointId: 4 });
  await assertEpoch(tasks, 'orders/eu.1', first.epoch);
  const second = await TaskFence.acquire(tasks, 'orders/eu.1', 'b');
  expect(second.epoch).toBeGreaterThan(first.epoch);
  expect(second.marker).toEqual({ checkpointId: 4 });
  const refused = await assertEpoch(tasks, 'orders/eu.1', first.epoch).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(TaskFencedError);
  expect(refused).toMatchObject({ code: 'NATS_TASK_FENCED', task: 'orders/eu.1', owner: 'b', epoch: first.epoch });
  expect((refused as Error).message).toMatch(/held by "b" at epoch \d+/);
  await expect(first.commit({ checkpointId: 5 })).rejects.toBeInstanceOf(TaskFencedError);
  expect((await readTaskHolder(tasks, 'orders/eu.1'))!.marker).toEqual({ checkpointId: 4 });
});

it('a release called while a commit is in flight waits for it, and releases (it failed its compare-and-set before)', async () => {
  const { tasks } = await openCoordinationBuckets(nats.nc, { application: 'release-race' });
  const fence = await TaskFence.acquire(tasks, 't0', 'a');
  await Promise.all([fence.commit({ n: 1 }), fence.release()]);
  expect(await readTaskHolder(tasks, 't0')).toMatchObject({ owner: null, marker: { n: 1 } });
  // Released, the fence refuses further commits.
  await expect(fence.commit({ n: 2 })).rejects.toBeInstanceOf(TaskFencedError);
  await expect(fence.assertEpoch()).rejects.toBeInstanceOf(TaskFencedError);
});
