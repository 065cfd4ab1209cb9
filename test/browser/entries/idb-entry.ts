// Browser side of test/browser/indexeddb.test.ts: drives the real IndexedDB backend and Web Locks.
// Results cross to Node as tagged JSON (the snapshot codec), so NaN, -0, bigint... survive the trip.
import {
  encodeEnvelope,
  encodeValue,
  openEnvelope,
  SNAPSHOT_FORMAT_VERSION,
  type Snapshot,
} from '../../../src/checkpoint/index.js';
import { openIndexedDbBackend, type IndexedDbBackend } from '../../../src/idb/index.js';

const backends = new Map<string, IndexedDbBackend>();
const events: string[] = [];

function snapshot(
  pipelineId: string,
  checkpointId: number,
  keys: number,
  kind: 'checkpoint' | 'savepoint' = 'checkpoint',
): Snapshot {
  const keyColumn: string[] = [];
  const values: number[] = [];
  for (let i = 0; i < keys; i++) {
    keyColumn.push(`key-${i}`);
    values.push(checkpointId * 1000 + i);
  }
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId,
    checkpointId,
    kind,
    ...(kind === 'savepoint' ? { name: `sp-${checkpointId}` } : {}),
    createdAt: checkpointId,
    operators: {
      counts: {
        stateVersion: 1,
        state: { special: [NaN, -0, Infinity, -Infinity, 2n ** 70n, undefined] },
        keyed: { count: { kind: 'full', keys: keyColumn, values } },
      },
    },
    sources: { numbers: { offset: checkpointId * 10 } },
    watermarks: { numbers: checkpointId === 0 ? -Infinity : checkpointId * 100 },
  };
}

async function settle<T>(
  p: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; name: string; code?: string; failure?: string; message: string }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    const e = error as { name: string; code?: string; failure?: string; message: string };
    return { ok: false, name: e.name, code: e.code, failure: e.failure, message: e.message };
  }
}

const api = {
  events,
  async open(
    handle: string,
    pipelineId: string,
    ownership: 'wait' | 'read-only' | 'fail',
    keep = 3,
    openTimeoutMs = 10_000,
  ) {
    return settle(
      openIndexedDbBackend({
        pipelineId,
        ownership,
        keep,
        openTimeoutMs,
        onWait: () => events.push(`${handle}: waiting for another tab`),
        onOwnershipLost: (r) => events.push(`${handle}: lost ${r}`),
      }).then((b) => {
        backends.set(handle, b);
        return { ownership: b.ownership, readOnlyReason: b.readOnlyReason ?? null, databaseName: b.databaseName };
      }),
    );
  },
  async save(handle: string, checkpointId: number, keys = 10, kind: 'checkpoint' | 'savepoint' = 'checkpoint') {
    const b = backends.get(handle)!;
    return settle(b.save(snapshot(b.pipelineId, checkpointId, keys, kind)).then((info) => info.byteLength));
  },
  async load(handle: string, checkpointId?: number) {
    return settle(
      backends
        .get(handle)!
        .load(checkpointId)
        .then((s) => encodeValue(s).json),
    );
  },
  expected(pipelineId: string, checkpointId: number, keys = 10) {
    return encodeValue(snapshot(pipelineId, checkpointId, keys)).json;
  },
  async list(handle: string) {
    return settle(
      backends
        .get(handle)!
        .list()
        .then((l) => l.map((i) => `${i.kind}:${i.checkpointId}`)),
    );
  },
  async close(handle: string) {
    await backends.get(handle)?.close();
    backends.delete(handle);
  },
  /** Times the save of an incremental checkpoint changing `changed` keys (for the benchmark figures). */
  async timeDelta(handle: string, parentCheckpointId: number, checkpointId: number, changed: number) {
    const b = backends.get(handle)!;
    const keyColumn: string[] = [];
    const values: number[] = [];
    for (let i = 0; i < changed; i++) {
      keyColumn.push(`key-${i * 100}`);
      values.push(checkpointId);
    }
    const s: Snapshot = {
      ...snapshot(b.pipelineId, checkpointId, 0),
      parentCheckpointId,
      operators: {
        counts: {
          stateVersion: 1,
          state: null,
          keyed: { count: { kind: 'delta', keys: keyColumn, values, deletes: [] } },
        },
      },
    };
    const t0 = performance.now();
    const info = await b.save(s);
    return { saveMs: performance.now() - t0, bytes: info.byteLength, chainLength: info.chainLength };
  },
  /** Times save and load of a snapshot of `keys` count entries (for the benchmark figures). */
  async time(handle: string, checkpointId: number, keys: number) {
    const b = backends.get(handle)!;
    const s = snapshot(b.pipelineId, checkpointId, keys);
    const t0 = performance.now();
    const info = await b.save(s);
    const t1 = performance.now();
    const loaded = await b.load(checkpointId);
    const t2 = performance.now();
    const count = loaded?.operators.counts?.keyed?.count;
    // The codec alone (no IndexedDB), to tell encoding from storage in the figures.
    const t3 = performance.now();
    const bytes = encodeEnvelope({ type: 'snapshot' }, s, { columns: true });
    const t4 = performance.now();
    openEnvelope(bytes).body();
    const t5 = performance.now();
    return {
      saveMs: t1 - t0,
      loadMs: t2 - t1,
      encodeMs: t4 - t3,
      decodeMs: t5 - t4,
      bytes: info.byteLength,
      keys: count?.kind === 'full' ? count.keys.length : -1,
    };
  },
};

declare global {
  interface Window {
    __rx: typeof api;
  }
}
window.__rx = api;
