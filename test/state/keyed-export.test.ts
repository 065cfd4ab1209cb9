import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { applyDeltas, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../../src/checkpoint/snapshot.js';
import { keyGroupOf, keyId, type Key } from '../../src/core/keys.js';
import {
  KeyedStateBackend,
  listState,
  mapState,
  reducingState,
  valueState,
  type KeyedStateExport,
  type KeyedStateHeader,
  type Namespace,
} from '../../src/state/index.js';
import { merged } from '../keyed/grouped-tables.js';

const value = valueState<number>('value');
const fresh = valueState<{ n: number }>('fresh', { ttl: { ttl: 30, updateType: 'OnReadAndWrite' } });
const list = listState<number>('list', { ttl: { ttl: 50, incrementalCleanup: false } });
const map = mapState<string, number>('map');
const timedMap = mapState<number, string>('timed-map', { ttl: { ttl: 40, cleanupOnSnapshot: false } });
const sum = reducingState<number>('sum', (a, b) => a + b);

const KEYS: Key[] = ['a', 'b', 7, ['t', 1], ['t', 2]];
const NAMESPACES: (Namespace | undefined)[] = [undefined, undefined, 'w1', 2];

type Op =
  | { op: 'write'; state: number; key: number; ns: number; v: number }
  | { op: 'clear'; state: number; key: number; ns: number }
  | { op: 'read'; state: number; key: number; ns: number }
  | { op: 'clearNamespace'; ns: number }
  | { op: 'time'; by: number }
  | { op: 'checkpoint'; incremental: boolean }
  | { op: 'failover'; inPlace: boolean };

const target = { state: fc.nat(5), key: fc.nat(KEYS.length - 1), ns: fc.nat(NAMESPACES.length - 1) };
const ops = fc.array(
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc.record({ op: fc.constant('write' as const), ...target, v: fc.integer({ min: -3, max: 9 }) }),
    },
    { weight: 5, arbitrary: fc.record({ op: fc.constant('clear' as const), ...target }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), ...target }) },
    {
      weight: 1,
      arbitrary: fc.record({
        op: fc.constant('clearNamespace' as const),
        ns: fc.integer({ min: 2, max: NAMESPACES.length - 1 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('time' as const), by: fc.integer({ min: 1, max: 25 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('checkpoint' as const),
        incremental: fc.constantFrom(true, true, true, false),
      }),
    },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('failover' as const), inPlace: fc.boolean() }) },
  ),
  { minLength: 10, maxLength: 150 },
);

/** Applies one state operation to the current key and namespace of `b`. */
function apply(b: KeyedStateBackend, op: Extract<Op, { state: number }>): void {
  b.setCurrentKey(KEYS[op.key]!);
  b.setCurrentNamespace(NAMESPACES[op.ns]);
  const v = op.op === 'write' ? op.v : 0;
  switch (op.state) {
    case 0: {
      const s = b.getState(value);
      if (op.op === 'write') s.update(v);
      else if (op.op === 'clear') s.clear();
      else s.value();
      break;
    }
    case 1: {
      const s = b.getState(fresh);
      if (op.op === 'write') s.update({ n: v });
      else if (op.op === 'clear') s.clear();
      else s.value();
      break;
    }
    case 2: {
      const s = b.getListState(list);
      if (op.op === 'write') {
        if (v < 0) s.update(v === -1 ? [] : [v, v]);
        else s.add(v);
      } else if (op.op === 'clear') s.clear();
      else s.get();
      break;
    }
    case 3: {
      const s = b.getMapState(map);
      if (op.op === 'write') s.put(`k${v % 3}`, v);
      else if (op.op === 'clear') v % 2 === 0 ? s.remove('k0') : s.clear();
      else s.entries();
      break;
    }
    case 4: {
      const s = b.getMapState(timedMap);
      if (op.op === 'write') s.put(v % 4, `x${v}`);
      else if (op.op === 'clear') s.remove(0);
      else s.get(1);
      break;
    }
    default: {
      const s = b.getReducingState(sum);
      if (op.op === 'write') s.add(v);
      else if (op.op === 'clear') s.clear();
      else s.get();
    }
  }
  b.setCurrentNamespace(undefined);
  b.clearCurrentKey();
}

function declareAll(b: KeyedStateBackend): void {
  b.getState(value);
  b.getState(fresh);
  b.getListState(list);
  b.getMapState(map);
  b.getMapState(timedMap);
  b.getReducingState(sum);
}

function snapshotOf(checkpointId: number, exported: KeyedStateExport, parentCheckpointId?: number): Snapshot {
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'p',
    checkpointId,
    kind: 'checkpoint',
    createdAt: 0,
    ...(parentCheckpointId !== undefined ? { parentCheckpointId } : {}),
    operators: { op: { stateVersion: 0, state: exported.header, keyed: exported.tables } },
    sources: {},
    watermarks: {},
  };
}

/** The rows of a full export independent of the order of key groups, keys and namespaces in a row, and of the layout. */
function normalize(e: KeyedStateExport): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, layout] of Object.entries(e.header.states)) {
    const { keys, values } = merged(e.tables, `state:${name}`);
    const rows = keys
      .map((k, i): [string, unknown] => {
        const row = values[i];
        // A row without namespaces is the default namespace's cell (the layout only says how it is written).
        if (!layout.namespaced) return [String(keyId(k as Key)), [['null', row]]];
        const cells: [string, unknown][] = [];
        for (let j = 0; j < (row as unknown[]).length; j += 2)
          cells.push([String((row as unknown[])[j]), (row as unknown[])[j + 1]]);
        return [String(keyId(k as Key)), cells.sort((x, y) => (x[0] < y[0] ? -1 : 1))];
      })
      .sort((x, y) => (x[0] < y[0] ? -1 : 1));
    if (rows.length > 0) out[name] = { kind: layout.kind, rows };
  }
  return out;
}

describe('keyed state in the key-grouped export (full and incremental)', () => {
  it('restoring the full base plus every delta since gives the live state (property)', () => {
    // What the runs exercised, so that a generator that never makes deltas cannot pass unnoticed.
    const seen = { deltaRows: 0, deltaDeletes: 0, restoredDeltas: 0 };
    fc.assert(
      fc.property(ops, (sequence) => {
        let time = 0;
        const now = (): number => time;
        let live = new KeyedStateBackend({ uid: 'p', now });
        // The same operations without checkpoints: its exports are not part of the chain.
        let shadow = new KeyedStateBackend({ uid: 'p', now });
        let chain: Snapshot[] = [];
        let header: KeyedStateHeader | undefined;
        let id = 0;
        const restoreLatest = (
          declare: boolean,
          into = new KeyedStateBackend({ uid: 'p', now }),
        ): KeyedStateBackend => {
          const latest = applyDeltas(chain[0]!, chain.slice(1));
          const restored = into;
          restored.restore({ header, tables: latest.operators['op']!.keyed! });
          // Declared, its states drop what expired when exported, as the live ones do.
          if (declare) declareAll(restored);
          return restored;
        };
        for (const op of sequence) {
          switch (op.op) {
            case 'time':
              time += op.by;
              break;
            case 'clearNamespace':
              live.clearNamespace(NAMESPACES[op.ns]!);
              shadow.clearNamespace(NAMESPACES[op.ns]!);
              break;
            case 'checkpoint': {
              const exported = live.snapshot({ incremental: op.incremental });
              const tables = Object.values(exported.tables);
              const full = tables.every((t) => t.kind === 'full');
              for (const t of tables) {
                if (t.kind !== 'delta') continue;
                seen.deltaRows += t.keys.length;
                seen.deltaDeletes += t.deletes.length;
              }
              if (!full) seen.restoredDeltas++;
              if (!op.incremental || chain.length === 0) expect(full).toBe(true);
              id++;
              chain = full ? [snapshotOf(id, exported)] : [...chain, snapshotOf(id, exported, id - 1)];
              header = exported.header;
              // Both sides declared (the shadow through a copy, so that its pending tables stay pending).
              const view = new KeyedStateBackend({ uid: 'p', now });
              view.restore(shadow.snapshot());
              declareAll(view);
              expect(normalize(restoreLatest(true).snapshot())).toEqual(normalize(view.snapshot()));
              break;
            }
            case 'failover':
              // The live backend is restored from the latest checkpoint: a new one, whose states are
              // declared again as operations reach them (pending tables become declared ones), or the
              // same one, which keeps its declared states and records changes already.
              if (chain.length > 0) {
                live = op.inPlace ? restoreLatest(false, live) : restoreLatest(false);
                shadow = op.inPlace ? restoreLatest(false, shadow) : restoreLatest(false);
              }
              break;
            default:
              apply(live, op);
              apply(shadow, op);
          }
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
    expect(seen.deltaRows).toBeGreaterThan(60);
    expect(seen.deltaDeletes).toBeGreaterThan(5);
    expect(seen.restoredDeltas).toBeGreaterThan(100);
  });

  it('rows restored in a namespaced layout and exported while pending keep that layout once declared: the delta after them restores (the property above, seed 1961683294)', () => {
    // A table that once had a namespace exports [ns, cell] rows even when only the default
    // namespace is left (namespaced is sticky). Restored, its rows wait as pending rows and go into
    // the next export as they are; declared then, the table must stay namespaced, or the next
    // delta's header says "not namespaced" over a base written namespaced, and a restore misreads it.
    const now = (): number => 0;
    const chain: Snapshot[] = [];
    let header: KeyedStateHeader | undefined;
    const checkpoint = (b: KeyedStateBackend): void => {
      const exported = b.snapshot({ incremental: true });
      const id = chain.length + 1;
      chain.push(snapshotOf(id, exported, id > 1 ? id - 1 : undefined));
      header = exported.header;
    };
    const restoreLatest = (): KeyedStateBackend => {
      const restored = new KeyedStateBackend({ uid: 'p', now });
      restored.restore({ header, tables: applyDeltas(chain[0]!, chain.slice(1)).operators['op']!.keyed! });
      return restored;
    };
    const first = new KeyedStateBackend({ uid: 'p', now });
    first.setCurrentKey('a');
    first.getState(fresh).update({ n: 1 });
    first.setCurrentNamespace(2);
    first.getState(fresh).update({ n: 2 });
    first.clearNamespace(2);
    checkpoint(first);
    const second = restoreLatest(); // 'fresh' is pending here
    checkpoint(second);
    second.setCurrentKey('a');
    second.setCurrentNamespace('w1');
    second.getState(fresh).clear(); // declares it: the pending rows load
    checkpoint(second);
    expect(chain.map((c) => Object.values(c.operators['op']!.keyed!)[0]!.kind)).toEqual(['full', 'full', 'delta']);
    const last = restoreLatest();
    last.setCurrentKey('a');
    expect(last.getState(fresh).value()).toEqual({ n: 1 });
    expect(header!.states['fresh']!.namespaced).toBe(true);
  });

  it('a map entry removed by incremental TTL cleanup goes into the next delta (the property above, seed -1843051781)', () => {
    // Flink's incremental cleanup visits a few entries of any key on each state access. It removed
    // the map's expired entries in place, so the key was not recorded as changed, and a restore from
    // the checkpoint chain brought back an entry the live state no longer held.
    let time = 0;
    const b = new KeyedStateBackend({ uid: 'p', now: () => time });
    const chain: Snapshot[] = [];
    let header: KeyedStateHeader | undefined;
    const checkpoint = (): void => {
      const exported = b.snapshot({ incremental: true });
      const id = chain.length + 1;
      chain.push(snapshotOf(id, exported, id > 1 ? id - 1 : undefined));
      header = exported.header;
    };
    const entriesOf = (key: Key): [number, string][] => {
      b.setCurrentKey(key);
      return [...b.getMapState(timedMap).entries()];
    };
    b.setCurrentKey('old');
    b.getMapState(timedMap).put(0, 'x0'); // at 0: expires at 40
    time = 17;
    b.getMapState(timedMap).put(1, 'x1'); // at 17: expires at 57
    time = 40;
    checkpoint();
    b.setCurrentKey('other');
    b.getMapState(timedMap).remove(0); // an access: the cleanup visits 'old' and drops its entry 0
    checkpoint();
    const restored = new KeyedStateBackend({ uid: 'p', now: () => time });
    restored.restore({ header, tables: applyDeltas(chain[0]!, chain.slice(1)).operators['op']!.keyed! });
    const rows = (backend: KeyedStateBackend): unknown => normalize(backend.snapshot());
    expect(rows(restored)).toEqual(rows(b));
    expect(entriesOf('old')).toEqual([[1, 'x1']]);
  });

  it('a delta holds only the keys changed since the previous export, deletes included, each in its key group; the first export is full', () => {
    const b = new KeyedStateBackend({ uid: 'u', now: () => 0 });
    const s = b.getState(valueState<number>('count'));
    for (let k = 0; k < 100; k++) {
      b.setCurrentKey(`k${k}`);
      s.update(k);
    }
    const first = b.snapshot({ incremental: true });
    expect(merged(first.tables, 'state:count').kinds).toEqual(['full']); // the first one always is
    for (const [table, t] of Object.entries(first.tables)) {
      // Each table holds the keys of its key group (Flink's KeyGroupRangeAssignment), tables in key-group order.
      for (const key of t.keys) expect(keyGroupOf(key)).toBe(Number(table.split('/')[0]));
    }
    const groups = Object.keys(first.tables).map((t) => Number(t.split('/')[0]));
    expect(groups).toEqual([...groups].sort((x, y) => x - y));
    b.setCurrentKey('k3');
    s.update(33);
    b.setCurrentKey('k5');
    s.clear();
    b.setCurrentKey('new');
    s.update(1);
    const delta = b.snapshot({ incremental: true });
    expect(delta.header).toEqual({ format: 3, states: { count: { kind: 'value', ttl: false, namespaced: false } } });
    expect(delta.tables[`${keyGroupOf('k3')}/state:count`]).toMatchObject({
      kind: 'delta',
      keys: ['k3'],
      values: [33],
    });
    expect(delta.tables[`${keyGroupOf('k5')}/state:count`]).toMatchObject({ kind: 'delta', deletes: ['k5'] });
    expect(merged(delta.tables, 'state:count')).toMatchObject({ kinds: ['delta'], deletes: ['k5'] });
    expect(new Set(merged(delta.tables, 'state:count').keys)).toEqual(new Set(['k3', 'new']));
    // Every group listed before is listed again (an empty delta when nothing in it changed).
    expect(new Set(Object.keys(delta.tables))).toEqual(
      new Set([...Object.keys(first.tables), `${keyGroupOf('new')}/state:count`]),
    );
    expect(merged(b.snapshot({ incremental: true }).tables, 'state:count')).toMatchObject({
      kinds: ['delta'],
      keys: [],
      deletes: [],
    });
    expect(merged(b.snapshot().tables, 'state:count')).toMatchObject({ kinds: ['full'] });
    expect(merged(b.snapshot().tables, 'state:count').keys).toHaveLength(100);
    // Changes after a full export are relative to it.
    b.setCurrentKey('k9');
    s.update(99);
    expect(merged(b.snapshot({ incremental: true }).tables, 'state:count')).toMatchObject({
      keys: ['k9'],
      values: [99],
      deletes: [],
    });
  });

  it('rows: one plain value per key without ttl and namespaces; [value, stamp] with ttl; [ns, cell, ...] once a namespace was used', () => {
    let time = 5;
    const b = new KeyedStateBackend({ uid: 'u', now: () => time });
    const l = b.getListState(listState<string>('l', { ttl: { ttl: 100 } }));
    const v = b.getState(valueState<number>('v'));
    b.setCurrentKey('a');
    l.add('x');
    v.update(1);
    const g = keyGroupOf('a');
    expect(b.snapshot()).toEqual({
      header: {
        format: 3,
        states: {
          l: { kind: 'list', ttl: true, namespaced: false },
          v: { kind: 'value', ttl: false, namespaced: false },
        },
      },
      tables: {
        [`${g}/state:l`]: { kind: 'full', keys: ['a'], values: [[['x'], [5]]] },
        [`${g}/state:v`]: { kind: 'full', keys: ['a'], values: [1] },
      },
    });
    time = 6;
    b.setCurrentNamespace('w');
    v.update(2);
    // The layout of v changed: its table is full although the checkpoint is incremental.
    const next = b.snapshot({ incremental: true });
    expect(next.header.states['v']).toEqual({ kind: 'value', ttl: false, namespaced: true });
    expect(next.tables[`${g}/state:v`]).toEqual({ kind: 'full', keys: ['a'], values: [[null, 1, 'w', 2]] });
    expect(next.tables[`${g}/state:l`]).toEqual({ kind: 'delta', keys: [], values: [], deletes: [] });
  });

  it('refuses values that are not plain data, naming the state and key', () => {
    const b = new KeyedStateBackend({ uid: 'u', now: () => 0 });
    const s = b.getState(valueState<unknown>('s'));
    b.setCurrentKey('k');
    s.update(new Map());
    expect(() => b.snapshot()).toThrow(/"s".*"k"|Map/);
  });

  it('refuses rows that do not fit their layout', () => {
    const b = new KeyedStateBackend({ uid: 'u', now: () => 0 });
    b.getState(valueState<number>('s'));
    expect(() =>
      b.restore({
        header: { format: 3, states: { s: { kind: 'value', ttl: false, namespaced: true } } },
        tables: { '3/state:s': { kind: 'full', keys: ['a'], values: [1] } },
      }),
    ).toThrow(/namespace, cell/);
    expect(() =>
      b.restore({
        header: { format: 3, states: { s: { kind: 'value', ttl: true, namespaced: false } } },
        tables: { '3/state:s': { kind: 'full', keys: ['a'], values: [1] } },
      }),
    ).toThrow(/value, stamps/);
  });
});
