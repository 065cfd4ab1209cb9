import { describe, expect, it } from 'vitest';
import { createCheckpointBackend, MemoryBlobStore, memoryBackend } from '../../src/checkpoint/index.js';
import { InvalidOptionError as CoreInvalidOptionError } from '../../src/core/errors.js';
import { backendContract } from './backend-contract.js';
import { FailingStore, snapshot } from './fixtures.js';

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
  });
});
