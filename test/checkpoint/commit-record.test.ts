// Issue 17, items 1 and 2: which checkpoints had their output committed, and which ids were used,
// survive damage to the snapshots and the manifest; a restore never commits results twice silently.
import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import {
  boundedOutOfOrderness,
  CommittedCheckpointLostError,
  exactlyOnceSink,
  fromIterable,
  memoryBackend,
  startCheckpointing,
  withEventTimeBatches,
  type Checkpointing,
  type CheckpointingOptions,
  type RestoreFallback,
} from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';

const VALUES = Array.from({ length: 60 }, (_, i) => i + 1);

/** Every value of VALUES through an exactly-once sink that records its commits by checkpoint id. */
function pipeline(checkpoints: Checkpointing, commits: Map<number, number[]>): Observable<unknown> {
  return checkpoints
    .source('n', fromIterable(VALUES, { from: checkpoints.position('n'), batchSize: 1, yieldAfterMs: 0 }))
    .pipe(
      withEventTimeBatches({ timestamp: (n: number) => n, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
      exactlyOnceSink<number, undefined>(
        async (values, checkpointId) => {
          commits.set(checkpointId, [...values]); // idempotent per checkpoint id, as the sink requires
        },
        { uid: 'sink' },
      ),
    );
}

function run(observable: Observable<unknown>): Promise<void> {
  return new Promise((resolve, reject) => observable.subscribe({ error: reject, complete: () => resolve() }));
}

const all = (commits: Map<number, number[]>): number[] => [...commits.values()].flat().sort((a, b) => a - b);

const start = (store: MemoryBlobStore, options: Partial<CheckpointingOptions> = {}) =>
  startCheckpointing({ backend: memoryBackend({ pipelineId: 'p', store, keep: 5 }), interval: 1, ...options });

/** Runs the pipeline to its end on `store`: every checkpoint, the final one included, is committed. */
async function runToEnd(store: MemoryBlobStore, commits: Map<number, number[]>): Promise<number> {
  const checkpoints = await start(store);
  await run(pipeline(checkpoints, commits));
  const final = await checkpoints.whenFinished();
  expect(checkpoints.stats.completed).toBeGreaterThan(2);
  return final!.checkpointId;
}

const truncate = (store: MemoryBlobStore, key: string): void => {
  store.blobs.set(key, store.blobs.get(key)!.slice(0, 30));
};

describe('fallback past a committed checkpoint (issue 17 item 1)', () => {
  it('fallback past a committed checkpoint duplicates output: refused by default with a typed error naming both checkpoints', async () => {
    const store = new MemoryBlobStore();
    const final = await runToEnd(store, new Map());
    truncate(store, `snapshot-${final}`);
    const error = await start(store).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommittedCheckpointLostError);
    expect(error).toMatchObject({ committedCheckpointId: final, restoredCheckpointId: final - 1 });
    expect((error as Error).message).toContain(`checkpoint ${final} was committed`);
    expect((error as Error).message).toContain(`restoring checkpoint ${final - 1} instead`);
    expect((error as Error).message).toContain(`blob "snapshot-${final}"`);
  });

  it('everything lost after a commit (manifest garbage, every snapshot damaged) is refused too, not a silent fresh start', async () => {
    const store = new MemoryBlobStore();
    await runToEnd(store, new Map());
    for (const key of store.blobs.keys()) if (key !== 'commit-record') truncate(store, key);
    await expect(start(store)).rejects.toMatchObject({ restoredCheckpointId: undefined });
  });

  it('allowFallbackPastCommit accepts the fallback, reports it with the reason, and commits the replayed results again (at least once)', async () => {
    const store = new MemoryBlobStore();
    const commits = new Map<number, number[]>();
    const final = await runToEnd(store, commits);
    truncate(store, `snapshot-${final}`);
    const reports: RestoreFallback[] = [];
    const checkpoints = await start(store, { allowFallbackPastCommit: true, onFallback: (f) => reports.push(f) });
    expect(checkpoints.restored!.checkpointId).toBe(final - 1);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.restoredCheckpointId).toBe(final - 1);
    expect(reports[0]!.skipped.map((e) => e.checkpointId)).toEqual([final]);
    expect(reports[0]!.pastCommit).toBeInstanceOf(CommittedCheckpointLostError);
    const again = new Map<number, number[]>();
    await run(pipeline(checkpoints, again));
    await checkpoints.whenFinished();
    // At least once: every value is committed, some twice (those of the lost interval).
    expect(new Set(all(new Map([...commits, ...again])))).toEqual(new Set(VALUES));
  });

  it('a fallback before the commit stays silent and exactly once', async () => {
    const store = new MemoryBlobStore();
    const commits = new Map<number, number[]>();
    const backend = memoryBackend({ pipelineId: 'p', store, keep: 5 });
    // A crash after checkpoint 3 is stored and before its sink commits: the commit record is not
    // written, nothing of checkpoint 3 is committed.
    const recordCommit = backend.recordCommit.bind(backend);
    backend.recordCommit = async (id) => {
      if (id === 3) throw new Error('crash before the commit');
      return recordCommit(id);
    };
    const first = await startCheckpointing({ backend, interval: 1 });
    await expect(run(pipeline(first, commits))).rejects.toThrow('crash before the commit');
    expect(Math.max(...commits.keys())).toBe(2);
    truncate(store, 'snapshot-3');
    const reports: RestoreFallback[] = [];
    const second = await start(store, { onFallback: (f) => reports.push(f) });
    expect(second.restored!.checkpointId).toBe(2);
    expect(reports.map((r) => [r.restoredCheckpointId, r.pastCommit])).toEqual([[2, undefined]]);
    await run(pipeline(second, commits));
    await second.whenFinished();
    expect(all(commits)).toEqual(VALUES);
  });
});

describe('checkpoint ids (issue 17 item 2)', () => {
  it('checkpoint ids are reused after the manifest is garbage and the latest snapshot damaged: never again', async () => {
    const store = new MemoryBlobStore();
    const commits = new Map<number, number[]>();
    const final = await runToEnd(store, commits);
    store.blobs.set('manifest', new TextEncoder().encode('garbage'));
    truncate(store, `snapshot-${final}`);
    const checkpoints = await start(store, { allowFallbackPastCommit: true });
    expect(checkpoints.restored!.checkpointId).toBe(final - 1);
    const stored: number[] = [];
    checkpoints.completed.subscribe((info) => stored.push(info.checkpointId));
    const again = new Map<number, number[]>();
    await run(pipeline(checkpoints, again));
    await checkpoints.whenFinished();
    expect(stored.length).toBeGreaterThan(0);
    expect(Math.min(...stored)).toBeGreaterThan(final);
    // Under an id the first run had used, only the same transaction again (the restored checkpoint's
    // own, committed again idempotently); everything new has an id of its own.
    for (const [id, values] of again) if (commits.has(id)) expect([id, values]).toEqual([id, commits.get(id)]);
    expect([...again.keys()].filter((id) => !commits.has(id)).every((id) => id > final)).toBe(true);
  });

  it('a fresh start (restore: false) on stored checkpoints goes on after the highest id ever used', async () => {
    const store = new MemoryBlobStore();
    const final = await runToEnd(store, new Map());
    truncate(store, `snapshot-${final}`);
    store.blobs.delete('manifest');
    const checkpoints = await start(store, { restore: false });
    const stored: number[] = [];
    checkpoints.completed.subscribe((info) => stored.push(info.checkpointId));
    await run(pipeline(checkpoints, new Map()));
    expect(stored.length).toBeGreaterThan(0);
    expect(Math.min(...stored)).toBeGreaterThan(final);
  });
});
