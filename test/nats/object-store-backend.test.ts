// The NATS checkpoint backend (snapshots in a JetStream object store, manifest and commit record in
// KV) against the contract every backend passes, on a real nats-server; plus fencing of its writes
// and a restore by key-group range.
import { connect } from '@nats-io/transport-node';
import type { ObjectStore } from '@nats-io/obj';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyedStateBackend, keyGroupOfTable, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../../src/engine/index.js';
import { StorageError } from '../../src/checkpoint/index.js';
import { valueState } from '../../src/index.js';
import { type CoordinationBuckets, openCoordinationBuckets } from '../../src/nats/buckets.js';
import { natsCheckpointBackend, ObjectStoreBlobStore } from '../../src/nats/object-store-backend.js';
import { TaskFence } from '../../src/nats/task-fence.js';
import { backendContract } from '../checkpoint/backend-contract.js';
import { snapshot } from '../checkpoint/fixtures.js';
import { startNatsServer } from './nats-server.js';

const server = await startNatsServer();
const nc = await connect({ servers: server.url });
afterAll(async () => {
  await nc.close();
  await server.stop();
});

const failing = new Set<string>();
const opened = new Map<string, Promise<CoordinationBuckets>>();
/** Each contract storage is an application of its own: its own buckets and object store. */
const bucketsOf = (name: string): Promise<CoordinationBuckets> => {
  if (!opened.has(name)) opened.set(name, openCoordinationBuckets(nc, { application: name }));
  return opened.get(name)!;
};
/** The object store, failing its next put with the server's "maximum bytes exceeded" when asked. */
const failingOnRequest = (name: string, objects: ObjectStore): ObjectStore =>
  new Proxy(objects, {
    get(target, property, receiver) {
      if (property === 'putBlob' && failing.delete(name))
        return async () => {
          throw new Error('maximum bytes exceeded');
        };
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });

backendContract('nats', {
  async open(name, options) {
    const { checkpoints, tasks } = await bucketsOf(name);
    return natsCheckpointBackend({
      pipelineId: 'p1',
      ...options,
      objects: failingOnRequest(name, checkpoints),
      pointers: tasks,
    });
  },
  async damage(name, key, damage) {
    const { checkpoints, tasks } = await bucketsOf(name);
    const store = new ObjectStoreBlobStore(checkpoints, tasks, 'p1');
    const bytes = await store.get(key);
    if (bytes === undefined) throw new Error(`no blob ${key} in ${name}`);
    await store.setMany([[key, damage(bytes)]]);
  },
  failNextWrite(name) {
    failing.add(name);
  },
});

const count = valueState<number>('count');
/** A snapshot whose operator `counts` holds a count for each of 300 keys, in the key-grouped format. */
function snapshotOfCounts(pipelineId: string): Snapshot {
  const backend = new KeyedStateBackend({ uid: 'counts', now: () => 0 });
  const state = backend.getState(count);
  for (let i = 0; i < 300; i++) {
    backend.setCurrentKey(`user-${i}`);
    state.update(i);
  }
  const { header, tables } = backend.snapshot();
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId,
    checkpointId: 1,
    kind: 'checkpoint',
    createdAt: 0,
    operators: { counts: { stateVersion: 0, state: header, keyed: tables } },
    sources: {},
    watermarks: {},
  };
}

describe('natsCheckpointBackend for tasks', () => {
  it('restores one task from another instance by key-group range (load with keyGroups)', async () => {
    const { checkpoints, tasks } = await openCoordinationBuckets(nc, { application: 'keygroups' });
    const writer = natsCheckpointBackend({ objects: checkpoints, pointers: tasks, pipelineId: 'task-0' });
    await writer.save(snapshotOfCounts('task-0'));
    await writer.close();
    // A second connection stands for the instance that takes the task over.
    const other = await connect({ servers: server.url });
    const theirs = await openCoordinationBuckets(other, { application: 'keygroups' });
    const reader = natsCheckpointBackend({ objects: theirs.checkpoints, pointers: theirs.tasks, pipelineId: 'task-0' });
    const groups = (s: Snapshot | undefined) =>
      Object.keys(s!.operators['counts']!.keyed!).map((t) => keyGroupOfTable(t)!);
    const all = groups(await reader.load());
    const half = groups(await reader.load(undefined, { keyGroups: { start: 0, end: 63 } }));
    expect(half.length).toBeGreaterThan(10);
    expect(half).toEqual(all.filter((g) => g <= 63));
    await reader.close();
    await other.close();
  });

  it('keeps the checkpoints of tasks apart: each task id is its own pipeline', async () => {
    const { checkpoints, tasks } = await openCoordinationBuckets(nc, { application: 'apart' });
    const a = natsCheckpointBackend({ objects: checkpoints, pointers: tasks, pipelineId: 'task.a/1' });
    const b = natsCheckpointBackend({ objects: checkpoints, pointers: tasks, pipelineId: 'task.a/2' });
    await a.save(snapshot(1, { pipelineId: 'task.a/1' }));
    await a.save(snapshot(2, { pipelineId: 'task.a/1' }));
    await b.save(snapshot(7, { pipelineId: 'task.a/2' }));
    expect((await a.list()).map((i) => i.checkpointId)).toEqual([1, 2]);
    expect((await b.list()).map((i) => i.checkpointId)).toEqual([7]);
  });

  it('refuses the saves of a fenced-off owner as not-owner, leaving the new owner its checkpoints', async () => {
    const { checkpoints, tasks } = await openCoordinationBuckets(nc, { application: 'fenced' });
    const zombie = await TaskFence.acquire(tasks, 't0', 'a');
    const old = natsCheckpointBackend({ objects: checkpoints, pointers: tasks, pipelineId: 't0', fence: zombie });
    await old.save(snapshot(1, { pipelineId: 't0' }));
    const fence = await TaskFence.acquire(tasks, 't0', 'b');
    const current = natsCheckpointBackend({ objects: checkpoints, pointers: tasks, pipelineId: 't0', fence });
    await current.save(snapshot(2, { pipelineId: 't0' }));
    const error = await old.save(snapshot(3, { pipelineId: 't0' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ failure: 'not-owner', checkpointId: 3 });
    expect((await current.list()).map((i) => i.checkpointId)).toEqual([1, 2]);
  });
});

it('a save paused between its fence check and its pointer write (a zombie) is refused once the new owner claimed the task', async () => {
  const { checkpoints, tasks } = await bucketsOf('claimed');
  const bytes = new TextEncoder().encode('pointer');
  const owner = new ObjectStoreBlobStore(checkpoints, tasks, 'task-9');
  await owner.setMany([['manifest', bytes]]);
  // The zombie's fence check passed before its pause: a fence that always lets it through.
  const zombie = new ObjectStoreBlobStore(checkpoints, tasks, 'task-9', { assertEpoch: async () => undefined });
  await zombie.get('manifest');
  // The new owner takes the task over and claims its pointers before loading them.
  await new ObjectStoreBlobStore(checkpoints, tasks, 'task-9').claim();
  const late = await zombie.setMany([['manifest', new TextEncoder().encode('late')]]).catch((e: unknown) => e);
  expect(zombie.classify(late)).toMatchObject({ failure: 'not-owner' });
  expect(new TextDecoder().decode(await owner.get('manifest'))).toBe('pointer');
}, 30_000);
