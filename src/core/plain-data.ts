/**
 * Copies of plain data (what state and snapshots hold: primitives, arrays, objects whose prototype
 * is `Object.prototype` or `null`) that keep what an assignment would lose: an own property named
 * "__proto__" (`JSON.parse` makes one) stays an own property instead of setting the copy's
 * prototype, and an object with a null prototype (a dictionary whose keys may be "constructor")
 * stays one (docs/architecture.md §2, §4).
 */

/**
 * Sets an own, enumerable property, even for the name "__proto__", which assignment would take as
 * the object's prototype.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const out: Record<string, number> = {};
 * defineOwn(out, '__proto__', 1);
 * Object.keys(out); // ['__proto__']
 * ```
 */
export function defineOwn<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A plain object: its prototype is `Object.prototype` or `null`. */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A deep copy of plain data: arrays and plain objects are copied (own enumerable string keys, with
 * their prototype, `Object.prototype` or `null`); primitives are themselves. Any other object or a
 * function goes to `other`, whose result takes its place: return it to keep it as it is, or throw.
 * A cycle recurses until the stack overflows (a `RangeError`): callers that must name it catch that
 * and locate the cycle with `findUnserializable` (src/state/serializable.ts), off the fast path.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const copy = copyPlain(JSON.parse('{"__proto__": 1}'), (v) => v) as object;
 * Object.hasOwn(copy, '__proto__'); // true
 * ```
 */
export function copyPlain(value: unknown, other: (value: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null)
    return typeof value === 'function' || typeof value === 'symbol' ? other(value) : value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      // Numbers and strings, the usual items, without a call.
      copy[i] = typeof item === 'number' || typeof item === 'string' ? item : copyPlain(item, other);
    }
    return copy;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return other(value);
  const copy = (proto === null ? Object.create(null) : {}) as Record<string, unknown>;
  for (const key of Object.keys(value)) defineOwn(copy, key, copyPlain((value as Record<string, unknown>)[key], other));
  return copy;
}
