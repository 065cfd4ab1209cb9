/**
 * The general window path's checkpoint in the tables of the keyed state layer
 * (src/window/window-set-rows.ts): window contents and trigger state as namespaced state rows,
 * timers as the timer service's rows with the window as namespace, and the window sets, each one
 * row per key in tables by key group, full or incremental (as Flink's WindowOperator keeps them in
 * its keyed state backend and InternalTimerService). Restores of the whole chain and of key-group
 * ranges are tested per scenario in window-rows.test.ts; this file checks the tables themselves.
 */
import { describe, expect, it } from 'vitest';
import { keyedRecord, watermark, type StreamElement } from '../../src/core/elements.js';
import { keyGroupOf } from '../../src/core/keys.js';
import type { KeyedTableSnapshot, OperatorStateSnapshot } from '../../src/core/state-snapshot.js';
import { StateRestoreError } from '../../src/state/errors.js';
import { OperatorHarness } from '../../src/testing/harness.js';
import {
  countTrigger,
  eventTimeSessionWindows,
  slidingEventTimeWindows,
  sum,
  tumblingEventTimeWindows,
} from '../../src/window/index.js';
import { layeredKeys } from '../../src/window/window-set-rows.js';
import { pending, snapshotOf } from '../fixtures/state-format/snapshots.js';
import { windowOp } from './helpers.js';

type Harness = OperatorHarness<number, string, unknown, string>;

const rec = (value: number, ts: number, key: string): StreamElement<number, string> =>
  keyedRecord(value, ts, key, keyGroupOf(key));

const sliding = windowOp(
  slidingEventTimeWindows(1000, 500),
  { kind: 'aggregate', aggregate: sum() as never },
  { uid: 'w' },
);

/** The tables of a checkpoint by the name of their rows, the key group left out. */
function byRows(state: OperatorStateSnapshot): Record<string, KeyedTableSnapshot[]> {
  const out: Record<string, KeyedTableSnapshot[]> = {};
  for (const [name, table] of Object.entries(state.keyed ?? {})) {
    const rows = name.slice(name.indexOf('/') + 1);
    out[rows] ??= [];
    out[rows].push(table);
  }
  return out;
}

describe('the general path checkpoints the tables of the keyed state layer', () => {
  it('sliding windows: contents namespaced by window start, timers with the window as namespace, the window set per key', () => {
    const h = new OperatorHarness(sliding as never) as unknown as Harness;
    h.process(rec(3, 700, 'a'));
    const state = h.operator.snapshotCheckpoint!(pending(1, false));
    const group = keyGroupOf('a');
    expect(Object.keys(state.keyed!).sort()).toEqual(
      [`${group}/state:window-contents`, `${group}/timers:event-time`, `${group}/window-set`].sort(),
    );
    const keyed = state.keyed!;
    expect(keyed[`${group}/state:window-contents`]).toEqual({ kind: 'full', keys: ['a'], values: [[500, 3, 0, 3]] });
    expect(keyed[`${group}/window-set`]).toEqual({
      kind: 'full',
      keys: ['a'],
      values: [[group, 500, 1500, 0, 0, 1000, 0]],
    });
    // Each window's end - 1 (the trigger's timer; the cleanup timer is the same time without lateness).
    const timers = keyed[`${group}/timers:event-time`]!;
    expect(timers.keys).toEqual(['a']);
    const row = timers.values[0] as unknown[];
    expect(row[0]).toBe(group);
    expect(row.slice(1).map((t) => [(t as unknown[])[0], (t as unknown[])[2]])).toEqual([
      [1499, 500],
      [999, 0],
    ]);
  });

  it('an incremental checkpoint lists only the key that changed, and a key whose windows all fired as deletes', () => {
    const h = new OperatorHarness(sliding as never) as unknown as Harness;
    for (let k = 0; k < 50; k++) h.process(rec(k, 700, `k${k}`));
    h.process(rec(1, 1200, 'late-key'));
    h.operator.snapshotCheckpoint!(pending(1, false));
    h.process(rec(1, 710, 'k7'));
    const delta = byRows(h.operator.snapshotCheckpoint!(pending(2, true)));
    const keysOf = (rows: string): unknown[] => delta[rows]!.flatMap((t) => t.keys);
    expect(keysOf('state:window-contents')).toEqual(['k7']);
    expect(keysOf('window-set')).toEqual(['k7']);
    expect(keysOf('timers:event-time')).toEqual([]); // (its timers were registered already)
    expect(delta['window-set']!.every((t) => t.kind === 'delta')).toBe(true);
    // Every window of the k-keys ends by 1499: they fire and are cleaned up; late-key's [1000, 2000) stays.
    h.process(watermark(1499));
    const after = byRows(h.operator.snapshotCheckpoint!(pending(3, true)));
    const deletes = after['window-set']!.flatMap((t) => (t.kind === 'delta' ? t.deletes : []));
    expect(deletes.length).toBe(50);
    expect(after['window-set']!.flatMap((t) => t.keys)).toEqual(['late-key']);
  });

  it('a window of elements exported is a copy: elements added after the checkpoint are not in it', () => {
    const h = new OperatorHarness(
      windowOp(
        tumblingEventTimeWindows(1000),
        {
          kind: 'process',
          process: (els: Iterable<number>, _ctx: unknown, out: { collect(v: number): void }) =>
            out.collect([...els].length),
        } as never,
        {
          uid: 'w',
          trigger: countTrigger(10),
        },
      ) as never,
    ) as unknown as Harness;
    h.process(rec(1, 10, 'a'));
    const state = h.operator.snapshotCheckpoint!(pending(1, false));
    h.process(rec(2, 20, 'a'));
    const contents = Object.entries(state.keyed!).find(([name]) => name.endsWith('/state:window-contents'))![1];
    expect(contents.values).toEqual([[0, { values: [1], times: [10] }]]);
  });

  it('trigger state is a namespaced state of its own (state:trigger:<name>), restored with its window', () => {
    const create = windowOp(
      eventTimeSessionWindows(100),
      { kind: 'reduce', reduce: (a: number, b: number) => a + b },
      {
        uid: 'w',
        trigger: countTrigger(3),
      },
    );
    const h = new OperatorHarness(create as never) as unknown as Harness;
    h.process(rec(1, 10, 'a'), rec(2, 50, 'a'));
    const state = h.operator.snapshotCheckpoint!(pending(1, false));
    const names = Object.keys(state.keyed!).map((n) => n.slice(n.indexOf('/') + 1));
    expect(names.some((n) => n.startsWith('state:trigger:'))).toBe(true);
    const restored = new OperatorHarness(create as never) as unknown as Harness;
    restored.initializeState(snapshotOf(1, { w: state }));
    restored.process(rec(4, 60, 'a')); // the third element of the session: the count trigger fires
    const out = restored.takeOutput().filter((e) => e.kind === 'record');
    expect(out.map((e) => (e.kind === 'record' ? (e.value as { value: unknown }).value : null))).toEqual([7]);
  });

  it('windowAll keeps its one key in key group 0', () => {
    const all = windowOp(
      slidingEventTimeWindows(1000, 500),
      { kind: 'aggregate', aggregate: sum() as never },
      {
        uid: 'w',
        keyed: false,
      },
    );
    const h = new OperatorHarness(all as never) as unknown as Harness;
    h.process(keyedRecord(5, 700, undefined as never, -1));
    const state = h.operator.snapshotCheckpoint!(pending(1, false));
    expect(Object.keys(state.keyed!).every((n) => n.startsWith('0/'))).toBe(true);
    const keys = layeredKeys(
      { header: (state.state as { keyedState: never }).keyedState, tables: state.keyed as never },
      undefined,
      { uid: 'w', keyed: false, accumulates: true },
    );
    expect(keys).toMatchObject([{ key: undefined, keyGroup: -1 }]);
    expect(keys[0]!.windows.map((w) => [w.start, w.acc])).toEqual([
      [500, 5],
      [0, 5],
    ]);
  });

  it('restored into an operator built without the general path (tumbling, default trigger), they fail with a StateRestoreError naming the uid', () => {
    const h = new OperatorHarness(sliding as never) as unknown as Harness;
    h.process(rec(3, 700, 'a'));
    const state = h.operator.snapshotCheckpoint!(pending(1, false));
    const paneOnly = windowOp(
      tumblingEventTimeWindows(1000),
      { kind: 'aggregate', aggregate: sum() as never },
      { uid: 'w' },
    );
    const restored = new OperatorHarness(paneOnly as never) as unknown as Harness;
    expect(() => restored.initializeState(snapshotOf(1, { w: state }))).toThrow(StateRestoreError);
    expect(() => restored.initializeState(snapshotOf(1, { w: state }))).toThrow(/"w".*built without it/s);
  });

  it('restored straight into a general path, contents of a window its window set lacks fail the restore (StateRestoreError naming the uid, key and window)', () => {
    const h = new OperatorHarness(sliding as never) as unknown as Harness;
    h.process(rec(3, 700, 'a'));
    const state = h.operator.snapshotCheckpoint!(pending(1, false));
    const group = keyGroupOf('a');
    // The window set keeps [0, 1000) and loses [500, 1500), whose contents stay.
    const damaged = {
      ...state,
      keyed: { ...state.keyed!, [`${group}/window-set`]: { kind: 'full', keys: ['a'], values: [[group, 0, 1000, 0]] } },
    } as OperatorStateSnapshot;
    const intact = new OperatorHarness(sliding as never) as unknown as Harness;
    expect(() => intact.initializeState(snapshotOf(1, { w: state }))).not.toThrow();
    const restored = new OperatorHarness(sliding as never) as unknown as Harness;
    expect(() => restored.initializeState(snapshotOf(1, { w: damaged }))).toThrow(StateRestoreError);
    expect(() => new OperatorHarness(sliding as never).initializeState(snapshotOf(1, { w: damaged }) as never)).toThrow(
      /"w".*window-contents of key "a" in window 500, which its window set lacks/s,
    );
  });

  it('contents of a window its key has no window set for fail the restore with a StateRestoreError naming the uid', () => {
    const header = { format: 3, states: { 'window-contents': { kind: 'value', ttl: false, namespaced: true } } };
    const tables = { '3/state:window-contents': { kind: 'full', keys: ['a'], values: [[0, 1]] } };
    expect(() =>
      layeredKeys({ header, tables } as never, undefined, { uid: 'w', keyed: true, accumulates: true }),
    ).toThrow(StateRestoreError);
    expect(() =>
      layeredKeys({ header, tables } as never, undefined, { uid: 'w', keyed: true, accumulates: true }),
    ).toThrow(/"w".*window-contents of key "a" in window 0/s);
  });
});
