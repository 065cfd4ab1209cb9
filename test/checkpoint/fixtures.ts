// Shared helpers for the checkpoint tests: snapshot builders and a store that fails on demand.
import {
  SNAPSHOT_FORMAT_VERSION,
  type BlobStore,
  type Snapshot,
  type StorageFailure,
} from '../../src/checkpoint/index.js';
import type { Key } from '../../src/core/keys.js';

export type Entry = [Key, unknown];

export function snapshot(checkpointId: number, overrides: Partial<Snapshot> = {}, pipelineId = 'p1'): Snapshot {
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId,
    checkpointId,
    kind: 'checkpoint',
    createdAt: 1000 + checkpointId,
    operators: {
      counts: {
        stateVersion: 1,
        state: { seen: checkpointId },
        keyed: { count: { kind: 'full', keys: ['a', 'b'], values: [checkpointId, -0] } },
      },
    },
    sources: { lines: { offset: checkpointId * 10 } },
    watermarks: { events: checkpointId === 0 ? -Infinity : checkpointId * 100 },
    ...overrides,
  };
}

export function countsSnapshot(checkpointId: number, entries: Entry[], pipelineId = 'p1'): Snapshot {
  const table = { kind: 'full' as const, keys: entries.map((e) => e[0]), values: entries.map((e) => e[1]) };
  return snapshot(
    checkpointId,
    { operators: { counts: { stateVersion: 1, state: null, keyed: { count: table } } } },
    pipelineId,
  );
}

export function deltaSnapshot(
  checkpointId: number,
  parentCheckpointId: number,
  upserts: Entry[],
  deletes: Key[] = [],
  pipelineId = 'p1',
): Snapshot {
  const table = { kind: 'delta' as const, keys: upserts.map((e) => e[0]), values: upserts.map((e) => e[1]), deletes };
  return snapshot(
    checkpointId,
    { parentCheckpointId, operators: { counts: { stateVersion: 1, state: null, keyed: { count: table } } } },
    pipelineId,
  );
}

/** The entries of the `count` table of a loaded (full) snapshot, sorted for comparison. */
export function countEntries(s: Snapshot | undefined): Entry[] {
  const table = s?.operators.counts?.keyed?.count;
  if (table?.kind !== 'full') throw new Error(`expected a full table, got ${JSON.stringify(table)}`);
  return table.keys.map((k, i): Entry => [k, table.values[i]]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
}

/** Wraps a store; `failNext` makes the next setMany throw the given error before writing anything. */
export class FailingStore implements BlobStore {
  failNext: unknown = undefined;
  constructor(
    private readonly inner: BlobStore,
    private readonly failure: StorageFailure = 'quota-exceeded',
  ) {}
  get backend(): string {
    return this.inner.backend;
  }
  get(key: string) {
    return this.inner.get(key);
  }
  async setMany(entries: readonly (readonly [string, Uint8Array])[]) {
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    return this.inner.setMany(entries);
  }
  delMany(keys: readonly string[]) {
    return this.inner.delMany(keys);
  }
  keys() {
    return this.inner.keys();
  }
  classify(error: unknown) {
    return error instanceof Error && error.name === 'QuotaExceededError'
      ? { failure: this.failure, reason: 'quota exceeded' }
      : undefined;
  }
}
