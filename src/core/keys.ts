import { InvalidKeyError } from './errors.js';

/** One part of a key: a primitive that compares by value. */
export type KeyPart = string | number | bigint | boolean;
/** A key: a primitive, or a tuple of primitives that compares by value, element by element. */
export type Key = KeyPart | readonly KeyPart[];

/** Flink's default max parallelism for small jobs; bounds the number of key groups. */
export const DEFAULT_MAX_PARALLELISM = 128;

/**
 * The value under which keyed tables store a key. Primitives are their own id: JavaScript's `Map`
 * compares them by value (SameValueZero), keeps "1" apart from 1, and treats "__proto__" or
 * "constructor" as ordinary keys. A tuple becomes a string with a type tag and length per part, so
 * ["a", 1] and ["a", "1"] stay apart and no two different tuples share an id.
 *
 * The encoding is injective across key types: tuple ids start with "\0t", and the rare string key
 * that itself starts with "\0" gets one more "\0" in front (ids "\0\0…"), so no string can take a
 * tuple's id. Ids live only in memory: snapshots store the keys and recompute ids on restore
 * (`keyFromId` in src/state/key-id.ts inverts this).
 *
 * @example
 * ```ts
 * keyId('a');                       // 'a'
 * keyId(['a', 1]);                  // '\u0000tuple|string:1:a|number:1:1'
 * keyId('\u0000tuple|string:1:a');  // '\u0000\u0000tuple|string:1:a' (not the id of ['a'])
 * ```
 */
export function keyId(key: Key): KeyPart {
  // Strings are the common case: one type check and one character read (see checkKey).
  if (typeof key === 'string') return key.charCodeAt(0) === 0 ? ESCAPE + key : key;
  return typeof key === 'object' ? encodeTuple(key) : key;
}

/** Starts every tuple id and every escaped string id; no other id starts with it. */
const ESCAPE = '\u0000';
/** Starts every tuple id (`keyFromId` decodes what follows). */
export const TUPLE_PREFIX = `${ESCAPE}tuple`;

function encodeTuple(parts: readonly KeyPart[]): string {
  let out = TUPLE_PREFIX;
  for (const part of parts) {
    const text = typeof part === 'number' && Object.is(part, -0) ? '0' : String(part);
    out += `|${typeof part}:${text.length}:${text}`;
  }
  return out;
}

/**
 * Checks what a key selector returned. Returns the key, or throws an `InvalidKeyError` naming the
 * element. `null`, `undefined`, objects, functions and symbols are refused: they have no stable
 * value to compare or hash.
 */
export function checkKey(key: unknown, element: unknown): Key {
  // Strings first, with a plain comparison: V8 compiles `typeof x === 'string'` to a type check,
  // but `switch (typeof x)` to a call that builds the type name (measured on the window hot path).
  // The rest in a function of its own: this one stays small enough for V8 to inline into a per-value
  // loop (ValuesDownstream.value, src/window/event-time-window-chain.ts) without spending its inlining budget.
  return typeof key === 'string' ? key : checkOtherKey(key, element);
}

function checkOtherKey(key: unknown, element: unknown): Key {
  switch (typeof key) {
    case 'bigint':
    case 'boolean':
      return key;
    case 'number':
      if (Number.isNaN(key)) throw new InvalidKeyError(element, key, 'NaN is not a usable key');
      return key;
    case 'object':
      if (Array.isArray(key)) {
        for (const part of key as unknown[]) {
          if (Array.isArray(part)) throw new InvalidKeyError(element, key, 'tuple keys cannot nest tuples');
          checkKey(part, element);
        }
        return key as readonly KeyPart[];
      }
      throw new InvalidKeyError(
        element,
        key,
        key === null
          ? 'a key cannot be null'
          : 'a key must be a string, number, bigint, boolean or an array of those (objects compare by identity, not by value)',
      );
    case 'undefined':
      throw new InvalidKeyError(element, key, 'the key selector returned undefined');
    default:
      throw new InvalidKeyError(element, key, `a ${typeof key} cannot be a key`);
  }
}

/**
 * A stable 32-bit hash of a key, the same on every platform and in every run. For strings, 32-bit
 * integers and booleans it equals Java's `hashCode()`, so `keyGroupOf` assigns them the key groups
 * Flink would.
 */
export function hashKey(key: Key): number {
  if (typeof key === 'string') return hashString(key); // (see checkKey: the common case, without a typeof call)
  switch (typeof key) {
    case 'number':
      return hashNumber(key);
    case 'boolean':
      return key ? 1231 : 1237;
    case 'bigint':
      return hashString(key.toString());
    default: {
      // Like java.util.Arrays.hashCode.
      let h = 1;
      for (const part of key) h = (Math.imul(31, h) + hashKey(part)) | 0;
      return h;
    }
  }
}

function hashString(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

const float64 = /* @__PURE__ */ new Float64Array(1);
// An annotated call without arguments: bundlers may drop it unused (`float64.buffer` as an argument they may not).
const words = /* @__PURE__ */ (() => new Int32Array(float64.buffer))();

function hashNumber(n: number): number {
  if ((n | 0) === n && !Object.is(n, -0)) return n; // Integer.hashCode
  if (Number.isSafeInteger(n)) {
    // Long.hashCode: high word xor low word.
    const high = Math.floor(n / 4294967296);
    return (high ^ (n >>> 0)) | 0;
  }
  float64[0] = Object.is(n, -0) ? 0 : n; // Double.hashCode on the canonical bits
  return (words[0]! ^ words[1]!) | 0;
}

/** Flink's MathUtils.murmurHash: spreads a hash code before it is reduced to a key group. */
function murmurHash(code: number): number {
  let k = Math.imul(code, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = (k << 13) | (k >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  if (h >= 0) return h;
  return h === -2147483648 ? 0 : -h;
}

/** The key group of a key: `murmur(hash(key)) mod maxParallelism`, as Flink's KeyGroupRangeAssignment. */
export function keyGroupOf(key: Key, maxParallelism: number = DEFAULT_MAX_PARALLELISM): number {
  return murmurHash(hashKey(key)) % maxParallelism;
}
