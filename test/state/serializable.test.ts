import { describe, expect, it } from 'vitest';
import { StateNotSerializableError } from '../../src/index.js';
import { checkSerializable, findUnserializable } from '../../src/engine/index.js';

class Point {
  constructor(readonly x: number) {}
}

describe('checkSerializable', () => {
  it.each([
    null,
    undefined,
    1,
    -Infinity,
    Number.NaN,
    'text',
    true,
    10n,
    [],
    {},
    [1, [2, { a: 'b' }]],
    Object.assign(Object.create(null) as object, { a: 1 }),
    { nested: { list: [undefined, null] } },
  ])('accepts plain data %#', (value) => {
    expect(() => checkSerializable(value, 'test')).not.toThrow();
    expect(structuredClone(value)).toEqual(value);
  });

  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  it.each([
    [() => 1, 'value', /a function/],
    [{ deep: [{ fn: function named() {} }] }, 'value.deep[0].fn', /function \(named\)/],
    [Symbol('s'), 'value', /a symbol/],
    [new Map(), 'value', /instance of Map/],
    [new Set([1]), 'value', /instance of Set/],
    [{ when: new Date(0) }, 'value.when', /instance of Date/],
    [new WeakMap(), 'value', /instance of WeakMap/],
    [[new Point(1)], 'value[0]', /instance of Point/],
    [{ 'odd key': new Uint8Array(2) }, 'value["odd key"]', /Uint8Array/],
    [cyclic, 'value.self', /circular/],
    [{ [Symbol('k')]: 1 }, 'value', /symbol keys/],
  ])('refuses %#: reports the path %s', (value, path, reason) => {
    const problem = findUnserializable(value);
    expect(problem?.path).toBe(path);
    expect(problem?.reason).toMatch(reason);
  });

  it('throws a StateNotSerializableError naming operator uid, state, key and path', () => {
    let error: unknown;
    try {
      checkSerializable({ cb: () => 0 }, { uid: 'sessions', state: 'session', key: ['u', 1] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateNotSerializableError);
    const e = error as StateNotSerializableError;
    expect(e.code).toBe('STATE_NOT_SERIALIZABLE');
    expect(e.path).toBe('value.cb');
    expect(e.message).toBe(
      'Cannot export state of operator "sessions", state "session", key ["u",1]: value.cb is a function (cb); ' +
        'state must be plain data (plain objects, arrays, strings, numbers, booleans, null, undefined, bigint)',
    );
  });

  it('accepts the same object referenced twice (a DAG is not a cycle)', () => {
    const shared = { a: 1 };
    expect(findUnserializable({ x: shared, y: [shared] })).toBeUndefined();
  });
});
