import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDelta, applyDeltas, isIncremental, type Snapshot } from '../../src/checkpoint/index.js';
import { keyId, type Key } from '../../src/core/keys.js';
import { countsSnapshot, deltaSnapshot, type Entry } from './fixtures.js';

const key: fc.Arbitrary<Key> = fc.oneof(
  fc.constantFrom('a', 'b', 'c', '__proto__', 1, 2, 1n, true),
  fc.tuple(fc.constantFrom('x', 'y'), fc.constantFrom(1, 2)),
);

function model(base: Entry[], upserts: Entry[], deletes: Key[]): Map<unknown, unknown> {
  const m = new Map<unknown, unknown>(base.map(([k, v]) => [keyId(k), v]));
  for (const k of deletes) m.delete(keyId(k));
  for (const [k, v] of upserts) m.set(keyId(k), v);
  return m;
}

function asMap(s: Snapshot): Map<unknown, unknown> {
  const t = s.operators.counts!.keyed!.count!;
  if (t.kind !== 'full') throw new Error('not full');
  expect(new Set(t.keys.map(keyId)).size).toBe(t.keys.length); // no key twice
  return new Map(t.keys.map((k, i) => [keyId(k), t.values[i]]));
}

describe('applyDelta (incremental restore)', () => {
  it('equals applying deletes then writes to a map of the base, for any delta', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, fc.integer()), { selector: (e) => keyId(e[0]) }),
        fc.array(fc.tuple(key, fc.integer())),
        fc.array(key),
        (base, upserts, deletes) => {
          const merged = applyDelta(countsSnapshot(1, base), deltaSnapshot(2, 1, upserts, deletes));
          expect(asMap(merged)).toEqual(model(base, upserts, deletes));
          expect(merged.checkpointId).toBe(2);
          expect(merged.parentCheckpointId).toBeUndefined();
          expect(isIncremental(merged)).toBe(false);
        },
      ),
    );
  });

  it('keeps the base order, then new keys in delta order, and does not touch its inputs', () => {
    const base = countsSnapshot(1, [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const copy = structuredClone(base);
    const merged = applyDelta(
      base,
      deltaSnapshot(
        2,
        1,
        [
          ['z', 9],
          ['b', 20],
          ['y', 8],
        ],
        ['a'],
      ),
    );
    expect(merged.operators.counts!.keyed!.count).toEqual({
      kind: 'full',
      keys: ['b', 'c', 'z', 'y'],
      values: [20, 3, 9, 8],
    });
    expect(base).toEqual(copy);
  });
});

describe('applyDeltas (a chain at once)', () => {
  const entries = fc.array(fc.tuple(key, fc.integer()));
  it('gives the same keyed state as applying the deltas one by one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, fc.integer()), { selector: (e) => keyId(e[0]) }),
        fc.array(fc.tuple(entries, fc.array(key)), { minLength: 1, maxLength: 5 }),
        (base, steps) => {
          const parent = countsSnapshot(1, base);
          const deltas = steps.map(([upserts, deletes], i) => deltaSnapshot(i + 2, i + 1, upserts, deletes));
          const stepwise = deltas.reduce((acc, d) => applyDelta(acc, d), parent);
          const atOnce = applyDeltas(parent, deltas);
          expect(asMap(atOnce)).toEqual(asMap(stepwise));
          const m = model(base, [], []);
          for (const [upserts, deletes] of steps) {
            for (const k of deletes) m.delete(keyId(k));
            for (const [k, v] of upserts) m.set(keyId(k), v);
          }
          expect(asMap(atOnce)).toEqual(m);
          expect(atOnce.checkpointId).toBe(steps.length + 1);
        },
      ),
    );
  });

  it('starts from an intermediate full table, and from empty where a table was left out', () => {
    const parent = countsSnapshot(1, [['a', 1]]);
    const full = countsSnapshot(2, [['b', 2]]);
    const left = { ...deltaSnapshot(3, 2, []), operators: { counts: { stateVersion: 1, state: null } } };
    const last = deltaSnapshot(4, 3, [['c', 3]]);
    expect(asMap(applyDeltas(parent, [full, deltaSnapshot(3, 2, [['c', 3]])]))).toEqual(
      new Map([
        ['b', 2],
        ['c', 3],
      ]),
    );
    expect(asMap(applyDeltas(parent, [full, left, last]))).toEqual(new Map([['c', 3]]));
  });
});
