// Issue 17 item 8: state that holds an own "__proto__" key, or objects with a null prototype, comes
// back the same after a real checkpoint and restore, through the memory and the file backend (both
// store the codec's bytes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryBackend, type CheckpointBackend } from '../../src/index.js';
import { MemoryBlobStore } from '../../src/engine/index.js';
import { fileBackend } from '../../src/node/checkpoint/index.js';
import { differenceOf, throughCheckpoint } from './plain-state.js';

const root = await mkdtemp(join(tmpdir(), 'rxflink-own-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** A word count as a null-prototype dictionary: "constructor" and "__proto__" are words like others. */
function wordCount(): Record<string, number> {
  const counts = Object.create(null) as Record<string, number>;
  for (const word of ['the', 'constructor', '__proto__', 'the']) counts[word] = (counts[word] ?? 0) + 1;
  return counts;
}

const values = (): unknown[] => [
  JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'),
  wordCount(),
  { nested: [JSON.parse('{"__proto__": [1, 2]}'), wordCount()] },
];

const backends: [string, () => () => CheckpointBackend][] = [
  [
    'memory',
    () => {
      const store = new MemoryBlobStore();
      return () => memoryBackend({ pipelineId: 'own', store });
    },
  ],
  [
    'file',
    () => {
      let n = 0;
      const directory = join(root, `run-${n++}-${Math.random().toString(36).slice(2)}`);
      return () => fileBackend({ directory, pipelineId: 'own' });
    },
  ],
];

describe('own "__proto__" keys and null prototypes in state (issue 17 item 8)', () => {
  it.each(backends)(
    '__proto__ as an own property is lost, null prototypes are lost: both survive a checkpoint and restore (%s backend)',
    async (_name, makeBackend) => {
      const restored = await throughCheckpoint(values(), makeBackend());
      for (const part of ['committed', 'keyed', 'window'] as const) {
        expect({ part, difference: differenceOf(restored[part], values()) }).toEqual({ part, difference: undefined });
      }
      const counts = restored.keyed[1] as Record<string, number>;
      expect(Object.getPrototypeOf(counts)).toBe(null);
      expect(counts['constructor']).toBe(1);
      expect(Object.hasOwn(restored.committed[0] as object, '__proto__')).toBe(true);
    },
  );
});
