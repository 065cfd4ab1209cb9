/**
 * A value state's serializer (Flink's TypeSerializer on a state descriptor): exports go through
 * `toPlain`, restores through `fromPlain`; and a backend's `keyGroupOf` option, which groups the
 * exported rows by the key group an operator's keyBy gave each key (the window operator's).
 */
import { describe, expect, it } from 'vitest';
import { keyGroupOf } from '../../src/core/keys.js';
import { KeyedStateBackend } from '../../src/state/backend.js';
import { valueState } from '../../src/state/descriptors.js';

describe('a value state with a serializer', () => {
  const bag = valueState<Set<string>>('bag', {
    serializer: { toPlain: (set) => [...set].sort(), fromPlain: (data) => new Set(data as string[]) },
  });

  it('exports what toPlain gives (a Set, not plain data, as a sorted array) and restores through fromPlain', () => {
    const state = new KeyedStateBackend({ uid: 'bags', now: () => 0 });
    state.setCurrentKey('a');
    state.getState(bag).update(new Set(['y', 'x']));
    const exported = state.snapshot();
    expect(exported.tables[`${keyGroupOf('a')}/state:bag`]).toEqual({
      kind: 'full',
      keys: ['a'],
      values: [['x', 'y']],
    });
    const restored = new KeyedStateBackend({ uid: 'bags', now: () => 0 });
    restored.restore(exported);
    restored.setCurrentKey('a');
    const value = restored.getState(bag).value();
    expect(value).toBeInstanceOf(Set);
    expect([...value!].sort()).toEqual(['x', 'y']);
  });

  it('in a namespace (a window) and with TTL, the value itself goes through the serializer', () => {
    const withTtl = valueState<Set<string>>('bag', {
      ttl: { ttl: 1000 },
      serializer: { toPlain: (set) => [...set], fromPlain: (data) => new Set(data as string[]) },
    });
    const state = new KeyedStateBackend({ uid: 'bags', now: () => 5 });
    state.setCurrentKey('a');
    state.setCurrentNamespace(0);
    state.getState(withTtl).update(new Set(['x']));
    const exported = state.snapshot();
    expect(exported.tables[`${keyGroupOf('a')}/state:bag`]!.values).toEqual([[0, [['x'], 5]]]);
    const restored = new KeyedStateBackend({ uid: 'bags', now: () => 6 });
    restored.restore(exported);
    restored.setCurrentKey('a');
    restored.setCurrentNamespace(0);
    expect([...restored.getState(withTtl).value()!]).toEqual(['x']);
  });
});

describe("a backend's keyGroupOf option", () => {
  it('groups full and incremental exports, deletes included, by the key group it gives', () => {
    const count = valueState<number>('count');
    const state = new KeyedStateBackend({ uid: 'c', now: () => 0, keyGroupOf: (id) => (id === 'a' ? 3 : 4) });
    for (const key of ['a', 'b']) {
      state.setCurrentKey(key);
      state.getState(count).update(1);
    }
    expect(Object.keys(state.snapshot().tables)).toEqual(['3/state:count', '4/state:count']);
    state.setCurrentKey('a');
    state.getState(count).clear();
    const delta = state.snapshot({ incremental: true }).tables;
    expect(delta['3/state:count']).toEqual({ kind: 'delta', keys: [], values: [], deletes: ['a'] });
    expect(delta['4/state:count']).toEqual({ kind: 'delta', keys: [], values: [], deletes: [] });
  });
});
