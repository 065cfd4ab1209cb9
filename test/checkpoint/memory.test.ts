import { describe, expect, it } from 'vitest';
import {
  createCheckpointBackend,
  CorruptSnapshotError,
  type BlobStore,
  exportSnapshot,
  importSnapshot,
  InvalidSnapshotError,
  MemoryBlobStore,
  memoryBackend,
} from '../../src/checkpoint/index.js';
import { InvalidOptionError as CoreInvalidOptionError } from '../../src/core/errors.js';
import { backendContract } from './backend-contract.js';
import { deltaSnapshot, FailingStore, snapshot } from './fixtures.js';

const stores = new Map<string, { memory: MemoryBlobStore; failing: FailingStore }>();
function storage(name: string) {
  let s = stores.get(name);
  if (s === undefined) {
    const memory = new MemoryBlobStore();
    s = { memory, failing: new FailingStore(memory) };
    stores.set(name, s);
  }
  return s;
}

backendContract('memory', {
  async open(name, options) {
    return createCheckpointBackend(storage(name).failing, { pipelineId: 'p1', ...options });
  },
  async damage(name, key, damage) {
    const { memory } = storage(name);
    memory.blobs.set(key, damage(memory.blobs.get(key)!));
  },
  failNextWrite(name) {
    storage(name).failing.failNext = new DOMException('full', 'QuotaExceededError');
  },
});

describe('memoryBackend', () => {
  it('refuses invalid options when built', () => {
    expect(() => memoryBackend({ pipelineId: '' })).toThrow(CoreInvalidOptionError);
    expect(() => memoryBackend({ pipelineId: 'p', keep: 0 })).toThrow(/keep/);
    expect(() => memoryBackend({ pipelineId: 'p', maxChainLength: -1 })).toThrow(/maxChainLength/);
  });

  it('queues concurrent saves so none is lost', async () => {
    const backend = memoryBackend({ pipelineId: 'p1', keep: 10 });
    await Promise.all([1, 2, 3, 4, 5].map((id) => backend.save(snapshot(id))));
    expect((await backend.list()).map((i) => i.checkpointId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('refuses every call after close', async () => {
    const backend = memoryBackend({ pipelineId: 'p1' });
    await backend.close();
    await expect(backend.load()).rejects.toMatchObject({ failure: 'closed' });
    await expect(backend.save(snapshot(1))).rejects.toMatchObject({ failure: 'closed' });
    await backend.close(); // a second close is harmless
  });
});

describe('exportSnapshot / importSnapshot (portable savepoints)', () => {
  it('moves a savepoint between backends as bytes', async () => {
    const from = memoryBackend({ pipelineId: 'p1' });
    await from.save(snapshot(7, { kind: 'savepoint', name: 'v1' }));
    const bytes = exportSnapshot((await from.load({ name: 'v1' }))!);
    const to = memoryBackend({ pipelineId: 'p1' });
    await to.save(importSnapshot(bytes));
    expect(await to.load({ name: 'v1' })).toStrictEqual(snapshot(7, { kind: 'savepoint', name: 'v1' }));
  });

  it('refuses incremental snapshots and damaged bytes with typed errors', () => {
    expect(() => exportSnapshot(deltaSnapshot(2, 1, [['a', 1]]))).toThrow(InvalidSnapshotError);
    const bytes = exportSnapshot(snapshot(3));
    const error = (() => {
      try {
        importSnapshot(bytes.subarray(0, bytes.length - 1));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CorruptSnapshotError);
    expect(error).toMatchObject({ pipelineId: '(unknown)', backend: 'bytes', blob: 'bytes' });
    const flipped = bytes.slice();
    flipped[flipped.length - 1]! ^= 1;
    expect(() => importSnapshot(flipped)).toThrow(/checksum mismatch/);
  });

  it("a corrupt snapshot's error names the snapshot, not the manifest (issue 17 item 14)", () => {
    const bytes = exportSnapshot(snapshot(3));
    const message = (() => {
      try {
        importSnapshot(bytes.subarray(0, 5));
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(message).toMatch(
      /^the snapshot \(the bytes given\) of pipeline "\(unknown\)" in the bytes backend: truncated/,
    );
    expect(message).not.toMatch(/manifest/);
  });
});

describe('a read-only backend beside a writer', () => {
  it("starts over when the owner's retention deletes the snapshot it is reading", async () => {
    const memory = new MemoryBlobStore();
    const writer = createCheckpointBackend(memory, { pipelineId: 'p1', keep: 1 });
    await writer.save(snapshot(1));
    let raced = false;
    const racing: BlobStore = {
      backend: 'memory',
      async get(key) {
        if (key === 'snapshot-1' && !raced) {
          raced = true;
          for (const id of [2, 3]) await writer.save(snapshot(id)); // retention (keep 1) deletes 1 and 2
        }
        return memory.get(key);
      },
      setMany: (entries) => memory.setMany(entries),
      delMany: (keys) => memory.delMany(keys),
      keys: () => memory.keys(),
    };
    const reader = createCheckpointBackend(racing, { pipelineId: 'p1', readOnly: 'another tab owns it' });
    const skipped: unknown[] = [];
    expect((await reader.load(undefined, { onSkip: (e) => skipped.push(e) }))?.checkpointId).toBe(3);
    expect(raced).toBe(true);
    expect(skipped).toEqual([]);
  });
});
