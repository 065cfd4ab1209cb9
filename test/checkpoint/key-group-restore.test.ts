/**
 * Restoring a range of key groups (Flink's KeyGroupRange, as a rescaled job's subtask restores its
 * share): the backend leaves the tables of other groups out before decoding them, the restore
 * marker drops them, and keyed operators take only the keys of the range.
 */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, memoryBackend, startCheckpointing, valueState } from '../../src/index.js';
import {
  decodeValue,
  exportSnapshot,
  importSnapshot,
  keyGroupOf,
  keyGroupOfTable,
  KeyedStateBackend,
  SNAPSHOT_FORMAT_VERSION,
  type Snapshot,
} from '../../src/engine/index.js';

const count = valueState<number>('count');
const KEYS = Array.from({ length: 300 }, (_, i) => `user-${i}`);

/** A snapshot whose operator `counts` holds a count per key in the key-grouped format. */
function snapshotOfCounts(checkpointId = 1): Snapshot {
  const backend = new KeyedStateBackend({ uid: 'counts', now: () => 0 });
  const state = backend.getState(count);
  KEYS.forEach((key, i) => {
    backend.setCurrentKey(key);
    state.update(i);
  });
  const { header, tables } = backend.snapshot();
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'p',
    checkpointId,
    kind: 'checkpoint',
    createdAt: 0,
    operators: { counts: { stateVersion: 0, state: header, keyed: tables } },
    sources: {},
    watermarks: {},
  };
}

const groupsOf = (s: Snapshot): number[] => Object.keys(s.operators['counts']!.keyed!).map((t) => keyGroupOfTable(t)!);

describe('restoring a range of key groups', () => {
  it('backend.load({ keyGroups }) gives only the keyed tables of the range', async () => {
    const backend = memoryBackend({ pipelineId: 'p' });
    await backend.save(snapshotOfCounts());
    const all = await backend.load();
    const half = await backend.load(undefined, { keyGroups: { start: 0, end: 63 } });
    expect(groupsOf(all!).some((g) => g > 63)).toBe(true);
    expect(groupsOf(half!).length).toBeGreaterThan(10);
    expect(groupsOf(half!).every((g) => g <= 63)).toBe(true);
    expect(groupsOf(half!)).toEqual(groupsOf(all!).filter((g) => g <= 63));
  });

  it('importSnapshot(bytes, { keyGroups }) decodes only the range; a restore from it holds the keys of the range', () => {
    const bytes = exportSnapshot(snapshotOfCounts());
    const upper = importSnapshot(bytes, { keyGroups: { start: 64, end: 127 } });
    expect(groupsOf(upper).every((g) => g >= 64)).toBe(true);
    const restored = new KeyedStateBackend({ uid: 'counts', now: () => 0 });
    const op = upper.operators['counts']!;
    restored.restore({ header: op.state, tables: op.keyed! });
    const state = restored.getState(count);
    KEYS.forEach((key, i) => {
      restored.setCurrentKey(key);
      expect(state.value()).toBe(keyGroupOf(key) >= 64 ? i : undefined);
    });
    expect(() => importSnapshot(bytes, { keyGroups: { start: 0, end: 40000 } })).toThrow(InvalidOptionError);
  });

  it('the binary columns of the groups left out are never read (decodeValue prune)', () => {
    // Group 1's column points outside the binary part: reading it would throw a RangeError.
    const json = JSON.stringify({
      operators: {
        op: {
          keyed: {
            '1/state:s': { kind: 'full', keys: '~cf0:100', values: '~cf0:100' },
            '2/state:s': { kind: 'full', keys: ['a'], values: [1] },
          },
        },
      },
    });
    expect(() => decodeValue(json, true, new Uint8Array(0))).toThrow(RangeError);
    const pruned = decodeValue(json, true, new Uint8Array(0), (tree) => {
      delete (tree as { operators: { op: { keyed: Record<string, unknown> } } }).operators.op.keyed['1/state:s'];
    });
    expect(pruned).toEqual({
      operators: { op: { keyed: { '2/state:s': { kind: 'full', keys: ['a'], values: [1] } } } },
    });
  });

  it('startCheckpointing({ keyGroups }) restores the range only, and refuses a malformed range', async () => {
    const backend = memoryBackend({ pipelineId: 'p' });
    await backend.save(snapshotOfCounts());
    const checkpoints = await startCheckpointing({ backend, interval: 1e9, keyGroups: { start: 100, end: 127 } });
    expect(groupsOf(checkpoints.restored!).every((g) => g >= 100)).toBe(true);
    expect(groupsOf(checkpoints.restored!).length).toBeGreaterThan(5);
    checkpoints.stop();
    await expect(startCheckpointing({ backend, interval: 1e9, keyGroups: { start: 9, end: 2 } })).rejects.toThrow(
      InvalidOptionError,
    );
  });
});
