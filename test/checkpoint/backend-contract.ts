// The behaviour every backend must have, run against memory, files and IndexedDB (fake-indexeddb).
// `damage` lets a test corrupt the stored bytes of one checkpoint the way its platform would.
import { describe, expect, it } from 'vitest';
import {
  CorruptSnapshotError,
  IncompatibleSnapshotError,
  InvalidSnapshotError,
  NoRestorableSnapshotError,
  type SnapshotError,
  SnapshotInUseError,
  SnapshotNotFoundError,
  StorageError,
  type CheckpointBackend,
  type CheckpointBackendOptions,
} from '../../src/checkpoint/index.js';
import { countEntries, countsSnapshot, deltaSnapshot, snapshot } from './fixtures.js';

export interface BackendFixture {
  /** Opens a backend on the same storage each time it is called with the same `name`. */
  open(name: string, options?: Partial<CheckpointBackendOptions>): Promise<CheckpointBackend>;
  /** Replaces the stored bytes of `key` ('snapshot-<id>' or 'manifest') with `damage(bytes)`. */
  damage(name: string, key: string, damage: (bytes: Uint8Array) => Uint8Array): Promise<void>;
  /** Makes the next write of this storage fail with quota exceeded. */
  failNextWrite(name: string): void;
}

let counter = 0;
const fresh = (): string => `pipeline-${++counter}`;

export function backendContract(label: string, fixture: BackendFixture): void {
  const open = async (name: string, options?: Partial<CheckpointBackendOptions>) =>
    fixture.open(name, { pipelineId: 'p1', ...options });

  describe(`${label} backend`, () => {
    it('saves, lists and loads the latest snapshot with all of its values', async () => {
      const name = fresh();
      const backend = await open(name);
      expect(await backend.load()).toBeUndefined();
      await backend.save(snapshot(0));
      await backend.save(
        snapshot(1, { operators: { x: { stateVersion: 2, state: [NaN, -0, 12n, undefined, Infinity] } } }),
      );
      const latest = await backend.load();
      expect(latest).toStrictEqual(
        snapshot(1, { operators: { x: { stateVersion: 2, state: [NaN, -0, 12n, undefined, Infinity] } } }),
      );
      expect((await backend.load(0))?.watermarks).toEqual({ events: -Infinity });
      expect((await backend.list()).map((i) => i.checkpointId)).toEqual([0, 1]);
      await backend.close();
      // A new instance on the same storage sees the same snapshots (reopen after a restart).
      const reopened = await open(name);
      expect(await reopened.load()).toStrictEqual(latest);
      await reopened.close();
    });

    it('keeps the newest `keep` checkpoints and every savepoint', async () => {
      const backend = await open(fresh(), { keep: 2 });
      await backend.save(snapshot(1));
      await backend.save(snapshot(2, { kind: 'savepoint', name: 'before-upgrade' }));
      for (let id = 3; id <= 6; id++) await backend.save(snapshot(id));
      expect((await backend.list()).map((i) => [i.checkpointId, i.kind])).toEqual([
        [2, 'savepoint'],
        [5, 'checkpoint'],
        [6, 'checkpoint'],
      ]);
      expect((await backend.load({ name: 'before-upgrade' }))?.checkpointId).toBe(2);
      await expect(backend.load(1)).rejects.toBeInstanceOf(SnapshotNotFoundError);
      await backend.close();
    });

    it('falls back to the previous checkpoint when the latest is corrupt, and says which it skipped', async () => {
      const name = fresh();
      const backend = await open(name);
      await backend.save(snapshot(1));
      await backend.save(snapshot(2));
      await fixture.damage(name, 'snapshot-2', (b) => {
        const c = b.slice();
        c[c.length - 3]! ^= 0x40;
        return c;
      });
      const skipped: SnapshotError[] = [];
      expect((await backend.load(undefined, { onSkip: (e) => skipped.push(e) }))?.checkpointId).toBe(1);
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toBeInstanceOf(CorruptSnapshotError);
      expect(skipped[0]).toMatchObject({ pipelineId: 'p1', checkpointId: 2, backend: backend.backend });
      // Issue 17 item 14: the error names the damaged blob (the snapshot, not the manifest).
      expect(skipped[0]!.blob).toBe('snapshot-2');
      expect(skipped[0]!.message).toMatch(
        /^checkpoint 2 \(blob "snapshot-2"\) of pipeline "p1" in the \w+ backend: checksum mismatch/,
      );
      expect(skipped[0]!.message).not.toMatch(/manifest/);
      // Asked for explicitly, the corrupt one is refused, not replaced.
      await expect(backend.load(2)).rejects.toBeInstanceOf(CorruptSnapshotError);
      await backend.close();
    });

    it('checkpoint ids are never reused: the commit record keeps the highest id when the manifest is garbage and the latest snapshot damaged (issue 17 item 2)', async () => {
      const name = fresh();
      const backend = await open(name);
      for (let id = 1; id <= 3; id++) await backend.save(snapshot(id));
      await backend.recordCommit(3);
      await backend.close();
      await fixture.damage(name, 'manifest', () => new TextEncoder().encode('garbage'));
      await fixture.damage(name, 'snapshot-3', (b) => b.slice(0, 20));
      const reopened = await open(name);
      // The rebuilt manifest cannot list the unreadable snapshot, but its id stays used.
      expect((await reopened.list()).map((i) => i.checkpointId)).toEqual([1, 2]);
      expect(await reopened.commitRecord()).toEqual({ highestCheckpointId: 3, committedCheckpointId: 3 });
      await reopened.close();
      // Without the record, every snapshot key present still counts, readable or not.
      await fixture.damage(name, 'commit-record', () => new TextEncoder().encode('garbage'));
      const again = await open(name);
      expect(await again.commitRecord()).toEqual({ highestCheckpointId: 3, committedCheckpointId: 3 });
      await again.close();
    });

    it('records commits apart from the snapshots, and starts with nothing used or committed', async () => {
      const backend = await open(fresh());
      expect(await backend.commitRecord()).toEqual({ highestCheckpointId: 0, committedCheckpointId: 0 });
      await backend.save(snapshot(1));
      await backend.save(snapshot(2));
      expect(await backend.commitRecord()).toEqual({ highestCheckpointId: 2, committedCheckpointId: 0 });
      await backend.recordCommit(1);
      expect(await backend.commitRecord()).toEqual({ highestCheckpointId: 2, committedCheckpointId: 1 });
      await backend.close();
    });

    it('refuses a truncated snapshot', async () => {
      const name = fresh();
      const backend = await open(name);
      await backend.save(snapshot(1));
      await fixture.damage(name, 'snapshot-1', (b) => b.slice(0, b.length - 100));
      const error = await backend.load(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CorruptSnapshotError);
      expect((error as CorruptSnapshotError).reason).toMatch(/truncated/);
      await backend.close();
    });

    it('refuses a snapshot of a newer format version and falls back past it', async () => {
      const name = fresh();
      const backend = await open(name);
      await backend.save(snapshot(1));
      await backend.save(snapshot(2));
      await fixture.damage(name, 'snapshot-2', (b) => {
        const c = b.slice();
        new DataView(c.buffer).setUint32(4, 9, true);
        return c;
      });
      const error = await backend.load(2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IncompatibleSnapshotError);
      expect(error).toMatchObject({ checkpointId: 2, storedVersion: 9, supportedVersion: 1, pipelineId: 'p1' });
      expect((await backend.load())?.checkpointId).toBe(1);
      await backend.close();
    });

    it('reports NoRestorableSnapshotError with every failure when nothing can be loaded', async () => {
      const name = fresh();
      const backend = await open(name);
      await backend.save(snapshot(1));
      await backend.save(snapshot(2));
      for (const key of ['snapshot-1', 'snapshot-2']) await fixture.damage(name, key, (b) => b.slice(0, 10));
      const error = await backend.load().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoRestorableSnapshotError);
      expect((error as NoRestorableSnapshotError).failures.map((f) => f.checkpointId)).toEqual([2, 1]);
      await backend.close();
    });

    it('rebuilds a damaged manifest from the snapshots themselves', async () => {
      const name = fresh();
      const backend = await open(name);
      await backend.save(snapshot(1));
      await backend.save(snapshot(2, { kind: 'savepoint', name: 'sp' }));
      await fixture.damage(name, 'manifest', (b) => b.slice(0, b.length - 1));
      expect((await backend.list()).map((i) => [i.checkpointId, i.kind, i.name])).toEqual([
        [1, 'checkpoint', undefined],
        [2, 'savepoint', 'sp'],
      ]);
      expect((await backend.load())?.checkpointId).toBe(2);
      await backend.close();
    });

    it('keeps the last good checkpoint when a write fails for lack of quota', async () => {
      const name = fresh();
      const backend = await open(name);
      await backend.save(snapshot(1));
      fixture.failNextWrite(name);
      const error = await backend.save(snapshot(2)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({
        failure: 'quota-exceeded',
        code: 'STORAGE_QUOTA_EXCEEDED',
        checkpointId: 2,
        pipelineId: 'p1',
      });
      expect((await backend.list()).map((i) => i.checkpointId)).toEqual([1]);
      expect(await backend.load()).toStrictEqual(snapshot(1));
      // The next save works again.
      await backend.save(snapshot(3));
      expect((await backend.load())?.checkpointId).toBe(3);
      await backend.close();
    });

    it('refuses invalid snapshots with a typed error naming the snapshot and the path', async () => {
      const backend = await open(fresh());
      const bad = await backend
        .save(snapshot(1, { operators: { w: { stateVersion: 1, state: { table: new Map() } } } }))
        .catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(InvalidSnapshotError);
      expect(bad).toMatchObject({ checkpointId: 1, path: '.operators.w.state.table' });
      await expect(backend.save(snapshot(2, { pipelineId: 'other' }))).rejects.toThrow(/belongs to pipeline "other"/);
      await expect(backend.save(snapshot(2, { kind: 'savepoint' }))).rejects.toThrow(/needs a non-empty name/);
      await expect(backend.save(snapshot(2, { createdAt: NaN }))).rejects.toThrow(/createdAt/);
      await backend.save(snapshot(2));
      await expect(backend.save(snapshot(2))).rejects.toThrow(/already stored/);
      expect((await backend.list()).map((i) => i.checkpointId)).toEqual([2]);
      await backend.close();
    });

    it('stores incremental checkpoints as bounded chains and restores them in full', async () => {
      const backend = await open(fresh(), { keep: 1, maxChainLength: 2 });
      expect(await backend.plan()).toEqual({ mode: 'full' });
      await backend.save(
        countsSnapshot(1, [
          ['a', 1],
          ['b', 1],
          [['t', 1n], 1],
        ]),
      );
      expect(await backend.plan()).toEqual({ mode: 'incremental', parentCheckpointId: 1 });
      await backend.save(
        deltaSnapshot(
          2,
          1,
          [
            ['a', 2],
            ['c', 1],
          ],
          ['b'],
        ),
      );
      await backend.save(deltaSnapshot(3, 2, [[['t', 1n], 5]], []));
      expect((await backend.list()).map((i) => [i.checkpointId, i.chainLength])).toEqual([
        [1, 0],
        [2, 1],
        [3, 2],
      ]);
      expect(countEntries(await backend.load())).toEqual([
        ['a', 2],
        ['c', 1],
        [['t', 1n], 5],
      ]);
      expect(await backend.plan()).toEqual({ mode: 'full' });
      // A delta beyond the bound is compacted into a full checkpoint by the backend itself.
      const info = await backend.save(deltaSnapshot(4, 3, [['d', 1]], ['a']));
      expect(info).toMatchObject({ checkpointId: 4, chainLength: 0 });
      expect(info.parentCheckpointId).toBeUndefined();
      // Retention (keep 1) now drops the old chain, which nothing builds on any more.
      expect((await backend.list()).map((i) => i.checkpointId)).toEqual([4]);
      expect(countEntries(await backend.load())).toEqual([
        ['c', 1],
        ['d', 1],
        [['t', 1n], 5],
      ]);
      await backend.close();
    });

    it('keeps the parents of retained incremental checkpoints and refuses to delete them', async () => {
      const backend = await open(fresh(), { keep: 1, maxChainLength: 5 });
      await backend.save(countsSnapshot(1, [['a', 1]]));
      await backend.save(deltaSnapshot(2, 1, [['a', 2]]));
      await backend.save(deltaSnapshot(3, 2, [['b', 1]]));
      expect((await backend.list()).map((i) => i.checkpointId)).toEqual([1, 2, 3]);
      const error = await backend.delete(1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SnapshotInUseError);
      expect((error as SnapshotInUseError).dependents).toEqual([2]);
      await expect(backend.save(deltaSnapshot(4, 99, []))).rejects.toThrow(/parent checkpoint 99 is not stored/);
      await backend.delete(3);
      expect((await backend.list()).map((i) => i.checkpointId)).toEqual([1, 2]);
      await backend.close();
    });

    it('fails restore of an incremental checkpoint whose parent is damaged, and falls back further', async () => {
      const name = fresh();
      const backend = await open(name, { keep: 5, maxChainLength: 5 });
      await backend.save(countsSnapshot(1, [['a', 1]]));
      await backend.save(countsSnapshot(2, [['a', 2]]));
      await backend.save(deltaSnapshot(3, 2, [['a', 3]]));
      await fixture.damage(name, 'snapshot-2', (b) => b.slice(0, 30));
      const skipped: number[] = [];
      const restored = await backend.load(undefined, { onSkip: (e) => skipped.push(e.checkpointId!) });
      expect(skipped).toEqual([3, 2]);
      expect(countEntries(restored)).toEqual([['a', 1]]);
      await backend.close();
    });

    it('refuses writes when opened read-only, saying why', async () => {
      const name = fresh();
      const writer = await open(name);
      await writer.save(snapshot(1));
      await writer.close();
      const reader = await open(name, { readOnly: 'another tab owns it' });
      expect(reader.readOnlyReason).toBe('another tab owns it');
      const error = await reader.save(snapshot(2)).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: 'not-owner', code: 'STORAGE_NOT_OWNER' });
      expect((error as Error).message).toMatch(/another tab owns it/);
      await expect(reader.delete(1)).rejects.toBeInstanceOf(StorageError);
      expect((await reader.load())?.checkpointId).toBe(1);
      await reader.close();
    });
  });
}
