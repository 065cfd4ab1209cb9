import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/checkpoint/index.js';
import { databaseName, lockName, openIndexedDbBackend } from '../../src/idb/index.js';
import { backendContract } from './backend-contract.js';
import { FakeLockManager } from './fake-locks.js';
import { snapshot } from './fixtures.js';

// Each contract test gets its own fake IndexedDB and lock manager: the snapshots all say pipeline 'p1'.
const worlds = new Map<string, { indexedDB: IDBFactory; locks: LockManager }>();
function world(name: string) {
  let w = worlds.get(name);
  if (w === undefined) {
    w = { indexedDB: new IDBFactory(), locks: new FakeLockManager() as unknown as LockManager };
    worlds.set(name, w);
  }
  return w;
}
let failNext = false;
const realPut = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function put(this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
  if (failNext) {
    failNext = false;
    throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  }
  return realPut.apply(this, args);
};

/** Reads or writes one raw value of a pipeline's database, as another tool would. */
async function raw<T>(
  factory: IDBFactory,
  pipelineId: string,
  mode: IDBTransactionMode,
  action: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(databaseName(pipelineId));
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = action(db.transaction('snapshots', mode).objectStore('snapshots'));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

backendContract('indexeddb', {
  async open(name, options) {
    return openIndexedDbBackend({ pipelineId: 'p1', ...world(name), ...options });
  },
  async damage(name, key, damage) {
    const { indexedDB: factory } = world(name);
    const bytes = await raw<Uint8Array>(factory, 'p1', 'readonly', (s) => s.get(key));
    await raw(factory, 'p1', 'readwrite', (s) => s.put(damage(bytes), key));
  },
  failNextWrite() {
    failNext = true;
  },
});

describe('openIndexedDbBackend', () => {
  it('stores each pipeline in its own database, written in one transaction per checkpoint', async () => {
    const factory = new IDBFactory();
    const a = await openIndexedDbBackend({
      pipelineId: 'a',
      indexedDB: factory,
      locks: new FakeLockManager() as unknown as LockManager,
    });
    await a.save(snapshot(1, {}, 'a'));
    const names = (await factory.databases()).map((d) => d.name);
    expect(names).toEqual([databaseName('a')]);
    expect((await raw<IDBValidKey[]>(factory, 'a', 'readonly', (s) => s.getAllKeys())).sort()).toEqual([
      'commit-record',
      'manifest',
      'snapshot-1',
    ]);
    await a.close();
  });

  it('lets one tab own a pipeline: a second opens read-only and says so, or fails, or waits', async () => {
    const factory = new IDBFactory();
    const locks = new FakeLockManager();
    const common = { pipelineId: 'shared', indexedDB: factory, locks: locks as unknown as LockManager };
    const first = await openIndexedDbBackend(common);
    expect(first.ownership).toBe('owner');
    await first.save(snapshot(1, {}, 'shared'));

    const reader = await openIndexedDbBackend({ ...common, ownership: 'read-only' });
    expect(reader.ownership).toBe('read-only');
    expect(reader.readOnlyReason).toMatch(/another tab owns/);
    expect((await reader.load())?.checkpointId).toBe(1);
    await expect(reader.save(snapshot(2, {}, 'shared'))).rejects.toMatchObject({ failure: 'not-owner' });

    const refused = await openIndexedDbBackend({ ...common, ownership: 'fail' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StorageError);
    expect(refused).toMatchObject({ failure: 'not-owner', pipelineId: 'shared' });

    let waited = false;
    const waiting = openIndexedDbBackend({
      ...common,
      ownership: 'wait',
      onWait: () => {
        waited = true;
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(waited).toBe(true);
    let second: Awaited<typeof waiting> | undefined;
    void waiting.then((b) => {
      second = b;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toBeUndefined(); // still waiting: the first tab owns it
    await first.close();
    second = await waiting;
    expect(second.ownership).toBe('owner');
    await second.save(snapshot(2, {}, 'shared'));
    expect((await reader.load())?.checkpointId).toBe(2);
    await second.close();
    await reader.close();
    expect(locks.isHeld(lockName('shared'))).toBe(false);
  });

  it('aborts a wait for ownership', async () => {
    const locks = new FakeLockManager() as unknown as LockManager;
    const common = { pipelineId: 'abort', indexedDB: new IDBFactory(), locks };
    const owner = await openIndexedDbBackend(common);
    const controller = new AbortController();
    const waiting = openIndexedDbBackend({ ...common, signal: controller.signal });
    controller.abort(new Error('user left'));
    await expect(waiting).rejects.toThrow('user left');
    await owner.close();
  });

  it('becomes read-only when another tab steals the lock', async () => {
    const locks = new FakeLockManager();
    const lost: string[] = [];
    const backend = await openIndexedDbBackend({
      pipelineId: 'stolen',
      indexedDB: new IDBFactory(),
      locks: locks as unknown as LockManager,
      onOwnershipLost: (r) => lost.push(r),
    });
    await locks.request(lockName('stolen'), { steal: true }, () => undefined);
    await new Promise((r) => setTimeout(r, 0));
    expect(lost).toEqual([`another tab took the lock ${lockName('stolen')}`]);
    expect(backend.ownership).toBe('read-only');
    await expect(backend.save(snapshot(1, {}, 'stolen'))).rejects.toMatchObject({ failure: 'not-owner' });
    await backend.close();
  });

  it('fails with "unavailable" when there is no IndexedDB (private mode) or no Web Locks', async () => {
    // Firefox's private mode and sandboxed frames throw on open; Safari's rejects the request.
    const throwing = {
      open() {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      },
    } as unknown as IDBFactory;
    const unavailable = await openIndexedDbBackend({
      pipelineId: 'p2',
      indexedDB: throwing,
      locks: new FakeLockManager() as unknown as LockManager,
    }).catch((e: unknown) => e);
    expect(unavailable).toBeInstanceOf(StorageError);
    expect(unavailable).toMatchObject({
      failure: 'unavailable',
      code: 'STORAGE_UNAVAILABLE',
      pipelineId: 'p2',
      backend: 'indexeddb',
    });
    expect((unavailable as Error).message).toMatch(/SecurityError/);
    const noLocks = await openIndexedDbBackend({
      pipelineId: 'p3',
      indexedDB: new IDBFactory(),
      locks: undefined,
    }).catch((e: unknown) => e);
    expect(noLocks).toMatchObject({ failure: 'unavailable' });
    expect((noLocks as Error).message).toMatch(/navigator\.locks/);
  });

  it('fails with "closed" once another tab deletes the database, keeping nothing half-written', async () => {
    const factory = new IDBFactory();
    const backend = await openIndexedDbBackend({
      pipelineId: 'deleted',
      indexedDB: factory,
      locks: new FakeLockManager() as unknown as LockManager,
    });
    await backend.save(snapshot(1, {}, 'deleted'));
    await new Promise<void>((resolve, reject) => {
      const request = factory.deleteDatabase(databaseName('deleted'));
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
    const error = await backend.save(snapshot(2, {}, 'deleted')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ failure: 'closed', checkpointId: 2 });
    await backend.close();
  });

  it('fails with "blocked" when opening waits behind another tab that does not let go', async () => {
    const factory = new IDBFactory();
    // Another tab holds a connection and ignores versionchange; a third asks to delete the database:
    // the deletion is blocked, and our open is queued behind it.
    const other = await new Promise<IDBDatabase>((resolve) => {
      const request = factory.open(databaseName('blocked'));
      request.onupgradeneeded = () => request.result.createObjectStore('snapshots');
      request.onsuccess = () => resolve(request.result);
    });
    factory.deleteDatabase(databaseName('blocked'));
    const error = await openIndexedDbBackend({
      pipelineId: 'blocked',
      indexedDB: factory,
      locks: new FakeLockManager() as unknown as LockManager,
      openTimeoutMs: 50,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ failure: 'blocked', code: 'STORAGE_BLOCKED' });
    other.close();
  });
});
