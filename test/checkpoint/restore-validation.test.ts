// Issue 17 item 10: every operator's restore validates what it is given and fails with a typed
// error (a StateRestoreError) naming the operator's uid and the wrong field; a null watermark (what
// plain JSON makes of -Infinity) is refused instead of comparing as 0.
import { describe, expect, it } from 'vitest';
import {
  exactlyOnceSink,
  fromIterable,
  InvalidOptionError,
  memoryBackend,
  startCheckpointing,
  StateRestoreError,
  toValues,
  withEventTimeBatches,
  boundedOutOfOrderness,
} from '../../src/index.js';
import { SNAPSHOT_FORMAT_VERSION, type Snapshot } from '../../src/engine/index.js';
import { KeyedProcessOperator, RollingReduceOperator } from '../../src/keyed/index.js';
import { OperatorHarness } from '../../src/testing/index.js';
import { tumblingEventTimeWindows, WindowStateError } from '../../src/window/index.js';
import { readTextFile } from '../../src/node/index.js';
import { rec, windowOp, wm } from '../window/helpers.js';

const sum = { kind: 'reduce' as const, reduce: (a: number, b: number) => a + b };
const windows = () => new OperatorHarness(windowOp(tumblingEventTimeWindows(1000), sum, { uid: 'clicks' }));
const jsonRoundTrip = <S>(state: S): S => JSON.parse(JSON.stringify(state)) as S;

function refusal(restore: () => void): StateRestoreError {
  try {
    restore();
  } catch (error) {
    expect(error).toBeInstanceOf(StateRestoreError);
    return error as StateRestoreError;
  }
  throw new Error('the restore was accepted');
}

describe('restore validation (issue 17 item 10)', () => {
  it('a plain-JSON round trip corrupts a window operator: the null watermark is refused, naming uid and field', () => {
    const first = windows();
    first.process(rec(1, -500, 'k'));
    const state = jsonRoundTrip(first.operator.snapshotState!());
    expect((state as { watermark: unknown }).watermark).toBe(null); // -Infinity became null
    const error = refusal(() => windows().operator.restoreState!(state));
    expect(error).toBeInstanceOf(WindowStateError);
    expect(error).toMatchObject({ uid: 'clicks', field: 'state.watermark' });
    expect(error.message).toMatch(/"clicks".*state\.watermark.*null/);
    // The operator's own export still restores, and a record at -200 is not late.
    const again = windows();
    again.operator.restoreState!(first.operator.snapshotState!());
    again.process(rec(2, -200, 'k'), wm(Infinity));
    expect(
      again
        .takeOutput()
        .filter((e) => e.kind === 'record')
        .map((e) => (e as { value: { value: number } }).value.value),
    ).toEqual([3]);
  });

  /** The fields of a window operator's export that the cases below damage (each writes a wrong value on purpose). */
  type Exported = { keys: { keyGroup: unknown; key: unknown; windows: Record<string, unknown>[] }[] };
  it.each([
    [
      'a key group',
      (s: Exported) => {
        s.keys[0].keyGroup = -1;
      },
      'state.keys[0].keyGroup',
    ],
    [
      'a window end',
      (s: Exported) => {
        s.keys[0].windows[0].end = null;
      },
      'state.keys[0].windows[0].end',
    ],
    [
      'an end before the start',
      (s: Exported) => {
        s.keys[0].windows[0].end = s.keys[0].windows[0].start;
      },
      'state.keys[0].windows[0].end',
    ],
    [
      'a timer',
      (s: Exported) => {
        s.keys[0].windows[0].eventTimers = [NaN];
      },
      'state.keys[0].windows[0].eventTimers[0]',
    ],
    [
      'a key',
      (s: Exported) => {
        s.keys[0].key = { id: 1 };
      },
      'state.keys[0].key',
    ],
    [
      'the windows',
      (s: Exported) => {
        s.keys[0].windows = {} as never;
      },
      'state.keys[0].windows',
    ],
  ])('a window operator refuses %s that is wrong, naming the field', (_name, damage, field) => {
    const first = windows();
    first.process(wm(0), rec(1, 10, 'k'));
    const state = structuredClone(first.operator.snapshotState!());
    damage(state as Exported);
    expect(refusal(() => windows().operator.restoreState!(state))).toMatchObject({ uid: 'clicks', field });
  });

  it('keyedProcess refuses a null watermark for its timers, in an export and in a checkpoint', () => {
    const create = () =>
      new OperatorHarness(
        (rt) => new KeyedProcessOperator<number, number, number>({ processElement: () => undefined }, { uid: 'p' }, rt),
      );
    // Stored in format 1 (before key groups): the timers as columns beside their watermark.
    const columns = { keys: [], keyGroups: [], times: [] };
    const exported = jsonRoundTrip({
      operator: 'keyedProcess',
      uid: 'p',
      keyed: { version: 1, states: {} },
      timers: { watermark: -Infinity, eventTime: columns, processingTime: columns },
    }) as { timers: { watermark: unknown } };
    expect(exported.timers.watermark).toBe(null);
    expect(refusal(() => create().operator.restoreCheckpoint!({ stateVersion: 0, state: exported }))).toMatchObject({
      uid: 'p',
      field: 'state.timers.watermark',
    });
    const operator = create().operator as KeyedProcessOperator<number, number, number>;
    const checkpoint = {
      checkpointId: 1,
      incremental: false,
      report: () => {},
      onComplete: () => {},
      hold: () => () => {},
    };
    const snapshot = jsonRoundTrip(operator.snapshotCheckpoint(checkpoint));
    expect(
      refusal(() => (create().operator as KeyedProcessOperator<number, number, number>).restoreCheckpoint(snapshot)),
    ).toMatchObject({ uid: 'p', field: 'state.watermark' });
  });

  it('rollingReduce refuses state of another shape, naming its uid', () => {
    const create = () =>
      new OperatorHarness((rt) => new RollingReduceOperator<number, number>((a, b) => a + b, { uid: 'sums' }, rt));
    expect(
      refusal(() =>
        create().operator.restoreCheckpoint!({ stateVersion: 0, state: { operator: 'rollingReduce', keyed: null } }),
      ),
    ).toMatchObject({ uid: 'sums' });
    expect(
      refusal(() =>
        create().operator.restoreCheckpoint!({
          stateVersion: 0,
          state: { operator: 'rollingReduce', keyedState: { format: 3, states: {} } },
          keyed: { x: { kind: 'full', keys: [], values: [] } },
        }),
      ),
    ).toMatchObject({ uid: 'sums' });
  });

  it('exactlyOnceSink refuses a transaction without a checkpoint id, naming uid and field', async () => {
    const backend = memoryBackend({ pipelineId: 'sink' });
    const snapshot: Snapshot = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      pipelineId: 'sink',
      checkpointId: 1,
      kind: 'checkpoint',
      createdAt: 0,
      watermarks: {},
      sources: { in: { index: 0 } },
      operators: { sink: { stateVersion: 1, state: { pending: [{ checkpointId: null, values: [1] }] } } },
    };
    await backend.save(snapshot);
    const checkpoints = await startCheckpointing({ backend, interval: 1e9 });
    const committed: unknown[] = [];
    const error = await new Promise<unknown>((resolve) => {
      checkpoints
        .source('in', fromIterable([1, 2], { from: checkpoints.position('in') }))
        .pipe(
          withEventTimeBatches({ timestamp: () => 0, watermarks: boundedOutOfOrderness(0), uid: 'entry' }),
          exactlyOnceSink(async (values) => void committed.push(...values), { uid: 'sink' }),
          toValues(),
        )
        .subscribe({ error: resolve, complete: () => resolve(undefined) });
    });
    await checkpoints.close();
    expect(error).toBeInstanceOf(StateRestoreError);
    expect(error).toMatchObject({ uid: 'sink', field: 'state.pending[0].checkpointId' });
    expect(committed).toEqual([]);
  });

  it('sources refuse a null position with a typed error instead of a TypeError', () => {
    expect(() => fromIterable([1], { from: null as never })).toThrow(InvalidOptionError);
    expect(() => readTextFile('x.txt', { from: null as never })).toThrow(InvalidOptionError);
  });
});
