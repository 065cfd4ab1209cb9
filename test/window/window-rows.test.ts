/**
 * The window operator's checkpoint in the key-grouped format (src/window/window-rows.ts,
 * docs/checkpoints.md §10): a full checkpoint plus the incremental ones after it restore the state
 * an uninterrupted run has, on both paths and every window configuration of the stored scenarios;
 * an incremental checkpoint holds only the changed keys; a restore of a range of key groups takes
 * only those keys, and two instances with complementary ranges give together what one gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../../src/checkpoint/codec.js';
import { applyDeltas, SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../../src/checkpoint/snapshot.js';
import type { PendingCheckpoint } from '../../src/core/checkpointing.js';
import { keyedRecord, watermark, type StreamElement } from '../../src/core/elements.js';
import { keyGroupOf } from '../../src/core/keys.js';
import type { StreamOperator } from '../../src/core/operator.js';
import type { KeyedTableSnapshot, OperatorStateSnapshot } from '../../src/core/state-snapshot.js';
import { OperatorHarness } from '../../src/testing/harness.js';
import { StateRestoreError } from '../../src/state/errors.js';
import { sum, tumblingEventTimeWindows } from '../../src/window/index.js';
import { WindowStateError } from '../../src/window/errors.js';
import { END, scenarios, type Step } from '../state/legacy-scenarios.js';
import { windowOp } from './helpers.js';

type Harness = OperatorHarness<number, string, unknown, string>;
type Op = StreamOperator<number, string, unknown, string>;

const pending = (checkpointId: number, incremental: boolean): PendingCheckpoint => ({
  checkpointId,
  incremental,
  report: () => {},
  hold: () => () => {},
  onComplete: () => {},
});

function stored(operator: Op, id: number, incremental: boolean): Snapshot {
  return {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'window-rows',
    checkpointId: id,
    kind: 'checkpoint',
    createdAt: 0,
    ...(incremental ? { parentCheckpointId: id - 1 } : {}),
    operators: { [operator.uid!]: operator.snapshotCheckpoint!(pending(id, incremental)) },
    sources: {},
    watermarks: {},
  };
}

function feed(h: Harness, steps: readonly Step[]): void {
  for (const step of steps) {
    if ('advance' in step) h.advanceProcessingTime(step.advance);
    else h.process(step);
  }
}

/** The records of an output, sorted (two instances interleave theirs differently). */
const records = (out: readonly StreamElement<unknown, string>[]): string[] =>
  out
    .filter((e) => e.kind === 'record')
    .map((e) => `${JSON.stringify(e.kind === 'record' ? e.value : null)} @${e.kind === 'record' ? e.timestamp : ''}`)
    .sort();

const windowScenarios = scenarios.filter((s) => s.name.startsWith('window-'));

describe('window checkpoints in the key-grouped format', () => {
  for (const s of windowScenarios) {
    it(`${s.name}: a full checkpoint plus an incremental one after every step restores what the run has`, () => {
      const h: Harness = new OperatorHarness(s.create);
      const chain: Snapshot[] = [];
      s.before.forEach((step, i) => {
        feed(h, [step]);
        chain.push(stored(h.operator, i + 1, i > 0));
      });
      const now = h.now;
      h.takeOutput();
      feed(h, [...s.after, END]);
      const expected = records(h.takeOutput());
      const [full, ...deltas] = chain;
      const restored: Harness = new OperatorHarness(s.create, { startTime: now });
      restored.initializeState(applyDeltas(full!, deltas));
      feed(restored, [...s.after, END]);
      expect(records(restored.takeOutput())).toEqual(expected);
    });

    it(`${s.name}: two instances restoring complementary key-group ranges give together what one gives`, () => {
      const h: Harness = new OperatorHarness(s.create);
      feed(h, s.before);
      const snapshot = stored(h.operator, 1, false);
      const now = h.now;
      h.takeOutput();
      feed(h, [...s.after, END]);
      const expected = records(h.takeOutput());
      const halves = [
        { start: 0, end: 63 },
        { start: 64, end: 32767 },
      ].map((keyGroups) => {
        const part: Harness = new OperatorHarness(s.create, { startTime: now });
        part.operator.restoreCheckpoint!(snapshot.operators[part.operator.uid!] as OperatorStateSnapshot, {
          keyGroups,
        });
        // Each instance gets the records of its own key groups, as a keyBy in front would route them.
        // (windowAll's one key is in key group 0: every record goes to the first instance.)
        const groupOf = (step: { readonly keyGroup: number }): number =>
          s.name.startsWith('window-all') ? 0 : step.keyGroup;
        const mine = (step: Step): boolean =>
          'advance' in step ||
          step.kind !== 'record' ||
          (groupOf(step) >= keyGroups.start && groupOf(step) <= keyGroups.end);
        feed(part, [...s.after.filter(mine), END]);
        return records(part.takeOutput());
      });
      expect([...halves[0]!, ...halves[1]!].sort()).toEqual(expected);
    });
  }
});

describe('an incremental window checkpoint holds only the keys that changed', () => {
  const create = windowOp(
    tumblingEventTimeWindows(1000),
    { kind: 'aggregate', aggregate: sum() as never },
    { uid: 'w' },
  );
  const keysIn = (snapshot: Snapshot): { rows: number; deletes: number; tables: number } => {
    const keyed = (snapshot.operators['w'] as OperatorStateSnapshot).keyed ?? {};
    let rows = 0;
    let deletes = 0;
    for (const t of Object.values(keyed) as KeyedTableSnapshot[]) {
      rows += t.keys.length;
      if (t.kind === 'delta') deletes += t.deletes.length;
    }
    return { rows, deletes, tables: Object.keys(keyed).length };
  };
  const rec = (value: number, ts: number, key: string): StreamElement<number, string> =>
    keyedRecord(value, ts, key, keyGroupOf(key));

  it('pane path: an update, a new key, and a fired pane left out (an empty table from then on)', () => {
    const h = new OperatorHarness(create as never) as unknown as Harness;
    for (let k = 0; k < 100; k++) h.process(rec(k, 10, `k${k}`));
    const first = stored(h.operator, 1, false);
    const full = keysIn(first);
    expect(full.rows).toBe(100);
    h.process(rec(1, 20, 'k7')); // an update
    h.process(rec(1, 1500, 'new')); // a key in a new pane
    const second = stored(h.operator, 2, true);
    expect(keysIn(second)).toMatchObject({ rows: 2, deletes: 0 });
    const third = stored(h.operator, 3, true);
    expect(keysIn(third).rows).toBe(0);
    h.process(watermark(999)); // fires the first pane: its 100 keys are gone
    const fourth = stored(h.operator, 4, true);
    expect(keysIn(fourth)).toEqual({ rows: 0, deletes: 0, tables: 1 }); // only the new pane's table
    const keyed = applyDeltas(first, [second, third, fourth]).operators['w']!.keyed!;
    expect(Object.entries(keyed).map(([name, t]) => [name, t.keys, t.values])).toEqual([
      [`${keyGroupOf('new')}/pane:1000:2000`, ['new'], [1]],
    ]);
  });

  it("pane path: a pane on a fired pane's keys array (PaneTable.recycle) exports its own keys only, full or incremental", () => {
    const h = new OperatorHarness(create as never) as unknown as Harness;
    for (let k = 0; k < 100; k++) h.process(rec(k, 10, `k${k}`));
    h.process(watermark(999)); // fires the pane: the next one starts on its keys array, 100 keys long
    h.process(rec(1, 1500, 'new'), rec(2, 1600, 'k3'));
    const first = stored(h.operator, 1, false);
    expect(keysIn(first).rows).toBe(2);
    h.process(rec(4, 1700, 'new'), rec(1, 1800, 'k8'));
    const second = stored(h.operator, 2, true);
    expect(keysIn(second)).toMatchObject({ rows: 2, deletes: 0 });
    const keyed = applyDeltas(first, [second]).operators['w']!.keyed!;
    expect(
      Object.values(keyed)
        .flatMap((t) => t.keys.map((key, i) => `${String(key)}=${String(t.values[i])}`))
        .sort(),
    ).toEqual(['k3=2', 'k8=1', 'new=5']);
  });

  it('pane path fired early between incremental checkpoints: the chain restores the early counts (on-time pane index 1)', () => {
    const results = (h: Harness): string[] =>
      h
        .takeOutput()
        .filter((e) => e.kind === 'record')
        .map((e) => {
          const r = (e as { value: { key: string; value: number; pane: { timing: string; index: number } } }).value;
          return `${r.key}=${r.value} ${r.pane.timing}#${r.pane.index}`;
        })
        .sort();
    const run = (restoreAt: number | null): string[] => {
      let h = new OperatorHarness(create as never) as unknown as Harness;
      const chain: Snapshot[] = [];
      const steps: (() => void)[] = [
        () => h.process(rec(1, 10, 'a'), rec(2, 20, 'b')),
        () => h.process({ kind: 'control', type: 'fire-early' }), // early panes: fired: tables of [acc, count]
        () => h.process(rec(5, 30, 'a')),
        () => h.process(rec(1, 1100, 'c')),
      ];
      const out: string[] = [];
      steps.forEach((step, i) => {
        step();
        out.push(...results(h));
        chain.push(stored(h.operator, i + 1, i > 0));
        if (restoreAt === i) {
          const [full, ...deltas] = chain;
          h = new OperatorHarness(create as never) as unknown as Harness;
          h.initializeState(applyDeltas(full!, deltas));
        }
      });
      h.process(watermark(Number.POSITIVE_INFINITY));
      return [...out, ...results(h)];
    };
    const expected = run(null);
    expect(expected).toContain('a=6 ON_TIME#1');
    expect(expected).toContain('c=1 ON_TIME#0');
    for (const at of [1, 2, 3]) expect(run(at)).toEqual(expected);
  });

  it('pane path: a pane table is a column of keys and a column of accumulators, named by its window', () => {
    const h = new OperatorHarness(create as never) as unknown as Harness;
    h.process(rec(3, 10, 'a'), rec(4, 20, 'a'), rec(5, 1010, 'a'));
    const keyed = (stored(h.operator, 1, false).operators['w'] as OperatorStateSnapshot).keyed!;
    const group = keyGroupOf('a');
    expect(keyed).toEqual({
      [`${group}/pane:0:1000`]: { kind: 'full', keys: ['a'], values: [7] },
      [`${group}/pane:1000:2000`]: { kind: 'full', keys: ['a'], values: [5] },
    });
  });

  it('general path (allowed lateness): only the key that got a record', () => {
    const general = windowOp(
      tumblingEventTimeWindows(1000),
      { kind: 'aggregate', aggregate: sum() as never },
      { uid: 'w', allowedLateness: 100 },
    );
    const h = new OperatorHarness(general as never) as unknown as Harness;
    for (let k = 0; k < 100; k++) h.process(rec(k, 10, `k${k}`));
    expect(keysIn(stored(h.operator, 1, false)).rows).toBe(100);
    h.process(rec(1, 20, 'k7'));
    expect(keysIn(stored(h.operator, 2, true))).toMatchObject({ rows: 1, deletes: 0 });
  });
});

describe('window state stored as WindowOperatorState v1 (test/fixtures/state) is migrated to rows by key group', () => {
  for (const s of windowScenarios.filter((x) => !x.name.startsWith('window-all'))) {
    it(`${s.name}: two instances restoring complementary ranges of the stored v1 state give what a whole restore gives`, () => {
      const fixture = JSON.parse(
        readFileSync(new URL(`../fixtures/state/${s.name}.json`, import.meta.url), 'utf8'),
      ) as { now: number; snapshot: { tagged: boolean; value: unknown } };
      const snapshot = decodeValue(JSON.stringify(fixture.snapshot.value), fixture.snapshot.tagged) as Snapshot;
      const stored = snapshot.operators['w'] as OperatorStateSnapshot;
      expect((stored.state as { version: number }).version).toBe(1);
      const run = (keyGroups?: { start: number; end: number }): string[] => {
        const h: Harness = new OperatorHarness(s.create, { startTime: fixture.now });
        h.operator.restoreCheckpoint!(stored, keyGroups === undefined ? {} : { keyGroups });
        const mine = (step: Step): boolean =>
          keyGroups === undefined ||
          'advance' in step ||
          step.kind !== 'record' ||
          (step.keyGroup >= keyGroups.start && step.keyGroup <= keyGroups.end);
        feed(h, [...s.after.filter(mine), END]);
        return records(h.takeOutput());
      };
      const whole = run();
      expect(whole.length).toBeGreaterThan(0);
      expect([...run({ start: 0, end: 63 }), ...run({ start: 64, end: 32767 })].sort()).toEqual(whole);
    });
  }
});

describe('a malformed window row', () => {
  it('fails the restore with a StateRestoreError naming the uid and the key', () => {
    const h = new OperatorHarness(
      windowOp(tumblingEventTimeWindows(1000), { kind: 'aggregate', aggregate: sum() as never }, { uid: 'w' }) as never,
    ) as unknown as Harness;
    const state = {
      operator: 'window',
      uid: 'w',
      assigner: 'tumblingEventTimeWindows',
      watermark: 0,
      keyedState: { format: 3, states: {} },
    };
    const restore = (): void =>
      h.operator.restoreCheckpoint!({
        stateVersion: 0,
        state,
        keyed: { '3/windows': { kind: 'full', keys: ['a'], values: [5] } },
      });
    expect(restore).toThrow(StateRestoreError);
    expect(restore).toThrow(/"w".*key "a"|key "a".*"w"|w.*key "a"/);
  });
});

describe('a malformed key of WindowOperatorState v1 in a checkpoint', () => {
  it('fails the restore with a WindowStateError naming the uid and the field, with or without a range of key groups', () => {
    const h = new OperatorHarness(
      windowOp(tumblingEventTimeWindows(1000), { kind: 'aggregate', aggregate: sum() as never }, { uid: 'w' }) as never,
    ) as unknown as Harness;
    const window = { start: 0, end: 1000, has: true, acc: 5, values: null, times: null, trigger: null };
    const state = {
      version: 1,
      uid: 'w',
      assigner: 'tumblingEventTimeWindows',
      watermark: 0,
      keys: [{ key: 'a', keyGroup: '7', windows: [{ ...window, eventTimers: [999], processingTimers: [] }] }],
    };
    for (const options of [{}, { keyGroups: { start: 0, end: 63 } }]) {
      const restore = (): void => h.operator.restoreCheckpoint!({ stateVersion: 0, state }, options);
      expect(restore).toThrow(WindowStateError);
      expect(restore).toThrow(/"w".*state\.keys\[0\]\.keyGroup/);
    }
  });
});

describe('pane tables restored where the pane table cannot hold them', () => {
  const paneOp = windowOp(
    tumblingEventTimeWindows(1000),
    { kind: 'aggregate', aggregate: sum() as never },
    { uid: 'w' },
  );
  const rec = (value: number, ts: number, key: string): StreamElement<number, string> =>
    keyedRecord(value, ts, key, keyGroupOf(key));

  it('an operator on the general path (allowed lateness) restores them as windows and fires them as the pane path does', () => {
    const h = new OperatorHarness(paneOp as never) as unknown as Harness;
    h.process(rec(3, 10, 'a'), rec(4, 1200, 'a'), rec(5, 20, 'b'));
    const snapshot = stored(h.operator, 1, false);
    h.process(watermark(5000));
    // (With allowed lateness a pane on time is not the last one: its pane info differs, as in Flink.)
    const results = (out: readonly StreamElement<unknown, string>[]): string[] =>
      records(out).map((r) => r.replace(/,"pane":\{[^}]*\}/, ''));
    const expected = results(h.takeOutput());
    const general = windowOp(
      tumblingEventTimeWindows(1000),
      { kind: 'aggregate', aggregate: sum() as never },
      { uid: 'w', allowedLateness: 100 },
    );
    const restored = new OperatorHarness(general as never) as unknown as Harness;
    restored.initializeState(snapshot);
    restored.process(watermark(5000));
    expect(results(restored.takeOutput())).toEqual(expected);
    expect(expected).toHaveLength(3);
  });

  it('a key that is no key fails the restore with a WindowStateError naming the table', () => {
    const h = new OperatorHarness(paneOp as never) as unknown as Harness;
    const restore = (): void =>
      h.operator.restoreCheckpoint!({
        stateVersion: 0,
        state: {
          operator: 'window',
          uid: 'w',
          assigner: 'tumblingEventTimeWindows',
          watermark: 0,
          keyedState: { format: 3, states: {} },
        },
        keyed: { '3/pane:0:1000': { kind: 'full', keys: [null as never], values: [5] } },
      });
    expect(restore).toThrow(StateRestoreError);
    expect(restore).toThrow(/3\/pane:0:1000\.keys\[0\]/);
  });
});
