import { describe, expect, it } from 'vitest';
import {
  aggregatingState,
  InvalidOptionError,
  listState,
  mapState,
  NotKeyedError,
  reducingState,
  StateDescriptorError,
  StateRestoreError,
  valueState,
  type Key,
} from '../../src/index.js';
import { KeyedStateBackend, keyFromId, keyGroupOf, keyId } from '../../src/engine/index.js';
import { mergeNamespaces } from '../../src/state/merge-namespaces.js';

function backend(uid = 'op') {
  const clock = { now: 0 };
  return { clock, b: new KeyedStateBackend({ uid, now: () => clock.now }) };
}

describe('KeyedStateBackend: state kinds scoped to the current key', () => {
  it('value state: default value, update, clear, per key', () => {
    const { b } = backend();
    const d = valueState<number>('count', { defaultValue: 0 });
    const s = b.getState(d);
    b.setCurrentKey('a');
    expect(s.value()).toBe(0);
    s.update(5);
    b.setCurrentKey('b');
    expect(s.value()).toBe(0);
    s.update(7);
    b.setCurrentKey('a');
    expect(s.value()).toBe(5);
    s.update(undefined);
    expect(s.value()).toBe(0);
    expect(b.entryCount('count')).toBe(1);
    b.setCurrentKey('b');
    s.clear();
    expect(b.entryCount('count')).toBe(0);
  });

  it('list, map, reducing and aggregating state', () => {
    const { b } = backend();
    b.setCurrentKey(['user', 1]);
    const list = b.getListState(listState<string>('l'));
    list.add('x');
    list.addAll(['y', 'z']);
    expect(list.get()).toEqual(['x', 'y', 'z']);
    list.update([]);
    expect(list.get()).toEqual([]);
    expect(b.entryCount('l')).toBe(0);

    const map = b.getMapState(mapState<string, number>('m'));
    map.put('a', 1);
    map.putAll([
      ['b', 2],
      ['__proto__', 3],
    ]);
    expect(map.get('__proto__')).toBe(3);
    expect(map.contains('b')).toBe(true);
    map.remove('b');
    expect(map.entries()).toEqual([
      ['a', 1],
      ['__proto__', 3],
    ]);
    expect(map.keys()).toEqual(['a', '__proto__']);
    expect(map.values()).toEqual([1, 3]);
    expect(map.isEmpty()).toBe(false);

    const sum = b.getReducingState(reducingState<number>('sum', (x, y) => x + y));
    expect(sum.get()).toBeUndefined();
    sum.add(2);
    sum.add(3);
    expect(sum.get()).toBe(5);

    const avg = b.getAggregatingState(
      aggregatingState('avg', {
        createAccumulator: () => ({ sum: 0, n: 0 }),
        add: (v: number, acc: { sum: number; n: number }) => ({ sum: acc.sum + v, n: acc.n + 1 }),
        getResult: (acc: { sum: number; n: number }) => acc.sum / acc.n,
      }),
    );
    avg.add(1);
    avg.add(4);
    expect(avg.get()).toBe(2.5);
    b.setCurrentKey(['user', '1']); // a different key: ["user", "1"] is not ["user", 1]
    expect(avg.get()).toBeUndefined();
    expect(map.isEmpty()).toBe(true);
  });

  it('any access without a current key is a NotKeyedError that names the state', () => {
    const { b } = backend();
    const s = b.getState(valueState<number>('v'));
    expect(() => s.value()).toThrow(NotKeyedError);
    b.setCurrentKey(1);
    s.update(1);
    b.clearCurrentKey();
    expect(() => s.update(2)).toThrow(/keyed state "v" needs a keyed context/);
  });

  it('namespaces (for windows) keep separate entries per key and can be dropped at once', () => {
    const { b } = backend();
    const s = b.getState(valueState<string>('w'));
    b.setCurrentKey('k');
    b.setCurrentNamespace(10);
    s.update('ten');
    b.setCurrentNamespace('10');
    s.update('ten-string');
    b.setCurrentNamespace(undefined);
    expect(s.value()).toBeUndefined();
    b.setCurrentNamespace(10);
    expect(s.value()).toBe('ten');
    const restored = backend().b;
    restored.restore(structuredClone(b.snapshot()));
    const r = restored.getState(valueState<string>('w'));
    restored.setCurrentKey('k');
    restored.setCurrentNamespace('10');
    expect(r.value()).toBe('ten-string');
    b.clearNamespace(10);
    expect(s.value()).toBeUndefined();
    b.setCurrentNamespace('10');
    expect(s.value()).toBe('ten-string');
  });

  it('a window namespace of one key: cleared, inspected and merged without touching other keys (Flink mergeNamespaces)', () => {
    const { b } = backend();
    const count = b.getState(valueState<number>('count'));
    const put = (key: string, ns: string, value: number): void => {
      b.setCurrentKey(key);
      b.setCurrentNamespace(ns);
      count.update(value);
    };
    put('k', '0:500', 1);
    put('k', '400:900', 2);
    put('k', '0:900', 10);
    put('other', '0:500', 7);
    b.setCurrentKey('k');
    b.setCurrentNamespace(undefined);
    mergeNamespaces(b, count, '0:900', ['0:500', '400:900'], (x, y) => x * 100 + y);
    expect(b.currentNamespace).toBeUndefined();
    expect(b.cellsIn('0:900')).toEqual([['count', 10 * 100 + (1 * 100 + 2)]]); // target first, then the sources in order
    expect([b.hasStateIn('0:500'), b.hasStateIn('400:900')]).toEqual([false, false]);
    b.clearKeyNamespace('0:900');
    expect(b.hasStateIn('0:900')).toBe(false);
    b.setCurrentKey('other');
    expect(b.cellsIn('0:500')).toEqual([['count', 7]]);
  });

  it('refuses the same name declared as another kind or with other ttl', () => {
    const { b } = backend();
    b.getState(valueState<number>('x'));
    expect(() => b.getListState(listState<number>('x'))).toThrow(StateDescriptorError);
    expect(() => b.getState(valueState<number>('x', { ttl: { ttl: 5 } }))).toThrow(/different ttl/);
    expect(() => b.getState(valueState<number>('x'))).not.toThrow(); // an equal descriptor is fine
  });

  it('validates descriptors when they are created', () => {
    expect(() => valueState('')).toThrow(InvalidOptionError);
    expect(() => valueState('v', { ttl: { ttl: 0 } })).toThrow(/ttl of state "v".ttl/);
    expect(() => valueState('v', { ttl: { ttl: 10, updateType: 'OnRead' as never } })).toThrow(/updateType/);
    expect(() => reducingState('r', 1 as never)).toThrow(InvalidOptionError);
    expect(() => aggregatingState('a', { add: () => 1 } as never)).toThrow(/createAccumulator/);
  });
});

describe('KeyedStateBackend: export and import', () => {
  it('round-trips every kind through structuredClone, including tuple and bigint keys', () => {
    const { b } = backend('rt');
    const v = b.getState(valueState<{ n: number }>('v'));
    const l = b.getListState(listState<number>('l'));
    const m = b.getMapState(mapState<number, string>('m'));
    const keys: Key[] = ['a', 1, 2n, true, ['x', 1, 3n, false], '__proto__'];
    keys.forEach((k, i) => {
      b.setCurrentKey(k);
      v.update({ n: i });
      l.addAll([i, i + 1]);
      m.put(i, `v${i}`);
    });
    const data = structuredClone(b.snapshot());
    expect(data.header.format).toBe(3);
    const { b: c } = backend('rt');
    c.restore(data);
    const v2 = c.getState(valueState<{ n: number }>('v'));
    const l2 = c.getListState(listState<number>('l'));
    const m2 = c.getMapState(mapState<number, string>('m'));
    keys.forEach((k, i) => {
      c.setCurrentKey(k);
      expect(v2.value()).toEqual({ n: i });
      expect(l2.get()).toEqual([i, i + 1]);
      expect(m2.entries()).toEqual([[i, `v${i}`]]);
    });
    // a state restored but never declared is exported again unchanged
    const { b: d } = backend('rt');
    d.restore(data);
    expect(d.snapshot()).toEqual(data);
  });

  it('refuses malformed imports with StateRestoreError', () => {
    const { b } = backend('bad');
    expect(() => b.restore(null)).toThrow(StateRestoreError);
    expect(() =>
      b.restore({ version: 1, states: { s: { kind: 'value', segments: [{ keys: [1], values: [] }] } } }),
    ).toThrow(/differ in length/);
    expect(() => b.restore({ version: 1, states: { s: { kind: 'nope', segments: [] } } })).toThrow(/unknown kind/);
    expect(() =>
      b.restore({ header: { format: 3, states: {} }, tables: { s: { kind: 'full', keys: [], values: [] } } }),
    ).toThrow(/<keyGroup>\/<rows>/);
    expect(() =>
      b.restore({
        header: { format: 3, states: {} },
        tables: { '1/state:s': { kind: 'full', keys: [1], values: [1] } },
      }),
    ).toThrow(/no layout/);
    expect(() =>
      b.restore({
        header: { format: 3, states: {} },
        tables: { '1/state:s': { kind: 'delta', keys: [], values: [], deletes: [] } },
      }),
    ).toThrow(/full table/);
    expect(() => b.restore({ header: { format: 4, states: {} }, tables: {} })).toThrow(/format 4, newer/);
    expect(() =>
      b.restore({ header: { format: 3, states: {} }, tables: {} }, { keyGroups: { start: 3, end: 1 } }),
    ).toThrow(InvalidOptionError);
  });

  it('restores only the key groups of a range, without reading the tables of the others', () => {
    const { b } = backend('kg');
    const s = b.getState(valueState<number>('s'));
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    keys.forEach((k, i) => {
      b.setCurrentKey(k);
      s.update(i);
    });
    const data = b.snapshot();
    const range = { start: 10, end: 70 };
    // A table outside the range that would throw when read: it is never read.
    const tables: Record<string, unknown> = { ...data.tables };
    const outside = Object.keys(tables).find((t) => Number(t.split('/')[0]) > 70)!;
    Object.defineProperty(tables, outside, {
      enumerable: true,
      get: () => {
        throw new Error('read a table outside the range');
      },
    });
    const { b: c } = backend('kg');
    c.restore({ header: data.header, tables }, { keyGroups: range });
    const s2 = c.getState(valueState<number>('s'));
    const inRange = keys.filter((k) => keyGroupOf(k) >= 10 && keyGroupOf(k) <= 70);
    expect(inRange.length).toBeGreaterThan(50);
    expect(c.entryCount('s')).toBe(inRange.length);
    keys.forEach((k, i) => {
      c.setCurrentKey(k);
      expect(s2.value()).toBe(inRange.includes(k) ? i : undefined);
    });
  });

  it('refuses an import whose kind differs from the declared descriptor', () => {
    const { b } = backend();
    b.setCurrentKey(1);
    b.getListState(listState<number>('s')).add(1);
    const { b: c } = backend();
    c.restore(b.snapshot());
    expect(() => c.getState(valueState<number>('s'))).toThrow(StateDescriptorError);
  });

  it('counts modifications in modCount (reads do not count)', () => {
    const { b } = backend();
    const s = b.getState(valueState<number>('s'));
    b.setCurrentKey('a');
    s.update(1);
    const before = b.modCount;
    b.setCurrentKey('b');
    s.update(2);
    b.setCurrentKey(['t', 1]);
    s.update(3);
    s.value(); // reads do not count without OnReadAndWrite TTL
    b.setCurrentKey('a');
    s.clear();
    expect(b.modCount - before).toBe(3);
  });

  it('keyFromId inverts keyId for every kind of key', () => {
    for (const key of ['a', '', 0, -1.5, 10n, true, ['a', 1], ['|x:1:', 2n, false], [], ['\u0000tuple']] as Key[]) {
      expect(keyFromId(keyId(key))).toEqual(key);
    }
  });
});
