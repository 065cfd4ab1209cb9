import { copyPlain } from '../core/plain-data.js';
import { StateNotSerializableError, type StateLocation } from './errors.js';

/**
 * Checks that `value` is plain data that survives `structuredClone` and JSON-like persistence:
 * `null`, `undefined`, booleans, numbers (including ±Infinity and NaN), strings, bigints, arrays
 * and plain objects (prototype `Object.prototype` or `null`) of those, without cycles.
 *
 * Throws a `StateNotSerializableError` naming `where` (operator uid, state name, key) and the path
 * of the first offending part. Refused: functions, symbols, class instances (their methods would
 * be lost), Map, Set, Date, RegExp, typed arrays, WeakMap and cycles: a snapshot must stay plain so
 * any backend (memory, IndexedDB, files) can store it and every import gives back the same state.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * checkSerializable({ count: 3, last: [1, 2] }, { uid: 'sessions', state: 'session', key: 'u1' }); // ok
 * checkSerializable({ onDone: () => 1 }, 'my cache'); // throws: value.onDone is a function
 * ```
 */
export function checkSerializable(value: unknown, where: StateLocation | string, path = 'value'): void {
  const problem = findUnserializable(value, path);
  if (problem) throw new StateNotSerializableError(where, problem.path, problem.value, problem.reason);
}

/**
 * A deep copy of state (`copyPlain`: own "__proto__" keys and null prototypes kept; `other` decides
 * about anything that is not plain data). A cycle, which makes the copy overflow the stack, is
 * reported as a `StateNotSerializableError` naming `where` and the path of the cycle; the search for
 * it runs only then, so the copy itself pays nothing for it.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const state: Record<string, unknown> = { n: 1 };
 * state.self = state;
 * copyState(state, { uid: 'counts' }, (v) => v); // throws: value.self is a circular reference
 * ```
 */
export function copyState(
  value: unknown,
  where: StateLocation | string,
  other: (value: unknown) => unknown,
  path = 'value',
): unknown {
  try {
    return copyPlain(value, other);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const problem = findUnserializable(value, path);
    if (problem === undefined) throw error; // finite, only nested deeper than the stack
    throw new StateNotSerializableError(where, problem.path, problem.value, problem.reason);
  }
}

/** The first part of `value` that is not plain data, or `undefined` if it all is. */
export function findUnserializable(
  value: unknown,
  path = 'value',
): { path: string; value: unknown; reason: string } | undefined {
  // Fast path for the common case of primitive state.
  const type = typeof value;
  if (value === null || (type !== 'object' && type !== 'function' && type !== 'symbol')) return undefined;
  return walk(value, path, new Set());
}

function walk(
  value: unknown,
  path: string,
  ancestors: Set<object>,
): { path: string; value: unknown; reason: string } | undefined {
  switch (typeof value) {
    case 'function':
      return { path, value, reason: `a function${value.name ? ` (${value.name})` : ''}` };
    case 'symbol':
      return { path, value, reason: 'a symbol' };
    case 'object': {
      if (value === null) return undefined;
      if (ancestors.has(value)) return { path, value, reason: 'a circular reference' };
      if (Array.isArray(value)) {
        ancestors.add(value);
        for (let i = 0; i < value.length; i++) {
          const problem = walk(value[i], `${path}[${i}]`, ancestors);
          if (problem) return problem;
        }
        ancestors.delete(value);
        return undefined;
      }
      const proto = Object.getPrototypeOf(value) as object | null;
      if (proto !== Object.prototype && proto !== null) {
        const name = (proto as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
        return { path, value, reason: `an instance of ${name} (not a plain object)` };
      }
      if (Object.getOwnPropertySymbols(value).length > 0) return { path, value, reason: 'an object with symbol keys' };
      ancestors.add(value);
      for (const name of Object.keys(value)) {
        const problem = walk((value as Record<string, unknown>)[name], `${path}${propertyPath(name)}`, ancestors);
        if (problem) return problem;
      }
      ancestors.delete(value);
      return undefined;
    }
    default:
      return undefined;
  }
}

function propertyPath(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}
