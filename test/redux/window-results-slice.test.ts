import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { configureStore } from '@reduxjs/toolkit';
import { InvalidOptionError } from '../../src/index.js';
import { createWindowResultsSlice, encodeResultKey, isPipelineAction, windowResultId } from '../../src/redux/index.js';

const result = <K>(key: K, start: number, end: number, value: number) => ({ key, window: { start, end }, value });

function setup(retention = 10) {
  const slice = createWindowResultsSlice<string | readonly (string | number)[], number>({ name: 'counts', retention });
  const store = configureStore({ reducer: { counts: slice.reducer } });
  return { slice, store, s: slice.selectors };
}

describe('createWindowResultsSlice', () => {
  it("stores results under the documented composite id, and its actions are tagged as the pipeline's", () => {
    const { slice, store, s } = setup();
    const action = slice.actions.resultsReceived([result('home', 0, 10, 3), result(['eu', 1], 0, 10, 4)]);
    expect(isPipelineAction(action)).toBe(true);
    store.dispatch(action);
    expect(s.selectById(store.getState(), 's:home|0|10')).toEqual({
      id: 's:home|0|10',
      key: 'home',
      start: 0,
      end: 10,
      value: 3,
      firings: 1,
    });
    expect(s.selectById(store.getState(), '[s:eu,n:1]|0|10')?.value).toBe(4);
  });

  it('ids never collide, whatever the key holds (separators, types, tuples)', () => {
    const keyPart = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.bigInt());
    const key = fc.oneof(keyPart, fc.array(keyPart, { maxLength: 3 }));
    fc.assert(
      fc.property(key, key, fc.integer(), fc.integer(), (a, b, start, end) => {
        const same =
          JSON.stringify([a], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ===
            JSON.stringify([b], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) &&
          typeof a === typeof b &&
          Array.isArray(a) === Array.isArray(b);
        expect(windowResultId(a, start, end) === windowResultId(b, start, end)).toBe(same);
      }),
    );
    expect(encodeResultKey('a|b')).toBe('s:a%7Cb');
    expect(encodeResultKey('1')).not.toBe(encodeResultKey(1));
  });

  it('a late firing of a window replaces its value (upsert) and counts the firing', () => {
    const { slice, store, s } = setup(100);
    store.dispatch(slice.actions.resultsReceived([result('home', 0, 10, 3)]));
    store.dispatch(slice.actions.resultsReceived([result('home', 0, 10, 5)]));
    expect(s.selectAll(store.getState())).toEqual([
      { id: 's:home|0|10', key: 'home', start: 0, end: 10, value: 5, firings: 2 },
    ]);
  });

  it('evicts windows once the watermark is past end - 1 + retention, and ignores (and counts) results for them', () => {
    const { slice, store, s } = setup(10);
    store.dispatch(slice.actions.resultsReceived([result('a', 0, 10, 1), result('a', 10, 20, 2)]));
    // The results imply a watermark of 19: [0, 10) is kept while 9 + 10 >= 19.
    expect(s.selectAll(store.getState()).map((e) => e.start)).toEqual([0, 10]);
    store.dispatch(slice.actions.watermarkAdvanced(20));
    expect(s.selectAll(store.getState()).map((e) => e.start)).toEqual([10]);
    store.dispatch(slice.actions.resultsReceived([result('a', 0, 10, 9)]));
    expect(s.selectAll(store.getState()).map((e) => e.start)).toEqual([10]);
    expect(store.getState().counts.ignoredLate).toBe(1);
    store.dispatch(slice.actions.watermarkAdvanced(5)); // a watermark never goes back
    expect(store.getState().counts.watermark).toBe(20);
  });

  it('memoized selectors: by key (in window order), latest window per key, top N', () => {
    const { slice, store, s } = setup(1_000);
    store.dispatch(
      slice.actions.resultsReceived([
        result('b', 10, 20, 7),
        result('a', 10, 20, 1),
        result('a', 0, 10, 4),
        result('b', 0, 10, 2),
      ]),
    );
    const state = store.getState();
    expect(s.selectByKey(state, 'a').map((e) => e.value)).toEqual([4, 1]);
    expect(s.selectByKey(state, 'a')).toBe(s.selectByKey(state, 'a'));
    expect(s.selectLatestPerKey(state).map((e) => [e.key, e.start])).toEqual([
      ['a', 10],
      ['b', 10],
    ]);
    expect(s.selectLatestPerKey(state)).toBe(s.selectLatestPerKey(state));
    expect(s.selectTopN(state, 2).map((e) => e.value)).toEqual([7, 4]);
    // An unrelated action keeps every selected array.
    const before = s.selectByKey(state, 'b');
    store.dispatch({ type: 'unrelated' });
    expect(s.selectByKey(store.getState(), 'b')).toBe(before);
  });

  it('ranks by the rank option for top N', () => {
    const slice = createWindowResultsSlice<string, { p95: number }>({
      name: 'latency',
      retention: 0,
      rank: (v) => v.p95,
    });
    const store = configureStore({ reducer: { latency: slice.reducer } });
    store.dispatch(
      slice.actions.resultsReceived([
        { key: 'x', window: { start: 0, end: 10 }, value: { p95: 3 } },
        { key: 'y', window: { start: 0, end: 10 }, value: { p95: 9 } },
      ]),
    );
    expect(slice.selectors.selectTopN(store.getState(), 1).map((e) => e.key)).toEqual(['y']);
  });

  it('rejects bad options with an InvalidOptionError naming them', () => {
    expect(() => createWindowResultsSlice({ name: '', retention: 0 })).toThrow(InvalidOptionError);
    expect(() => createWindowResultsSlice({ name: 'x', retention: -1 })).toThrow(/retention/);
  });
});
