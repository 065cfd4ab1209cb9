/**
 * The id of a window result in a store: `${key}|${start}|${end}`, with the key encoded so that no
 * two (key, window) pairs share an id whatever the key holds. A key is a primitive or a tuple of
 * primitives (src/core/keys.ts); its encoding starts with its type, and strings are
 * percent-encoded, so a `|` in a key cannot be taken for the separator:
 *
 * | key | encoded |
 * |---|---|
 * | `'home'` | `s:home` |
 * | `'a|b'` | `s:a%7Cb` |
 * | `7` | `n:7` |
 * | `7n` | `b:7` |
 * | `true` | `t:true` |
 * | `['eu', 3]` | `[s:eu,n:3]` (elements encoded the same way, commas inside strings encoded) |
 *
 * So the result of key `'home'` for the window [0, 10000) has the id `s:home|0|10000`.
 */
import type { Key, KeyPart } from '../core/keys.js';
import { InvalidKeyError } from '../core/errors.js';

function encodePart(part: KeyPart): string {
  switch (typeof part) {
    case 'string':
      return `s:${encodeURIComponent(part)}`;
    case 'number':
      return `n:${Object.is(part, -0) ? '-0' : String(part)}`;
    case 'bigint':
      return `b:${String(part)}`;
    case 'boolean':
      return `t:${String(part)}`;
    default:
      throw new InvalidKeyError(
        part,
        part,
        'a window result key must be a string, number, bigint, boolean or a tuple of them',
      );
  }
}

/**
 * The encoded form of a key, as it appears in window result ids.
 *
 * @example
 * ```ts
 * encodeResultKey(['eu', 3]); // '[s:eu,n:3]'
 * ```
 */
export function encodeResultKey(key: Key): string {
  return Array.isArray(key) ? `[${(key as readonly KeyPart[]).map(encodePart).join(',')}]` : encodePart(key as KeyPart);
}

/**
 * The id of the result of `key` for the window [start, end) (see the table above).
 *
 * @example
 * ```ts
 * windowResultId('home', 0, 10_000); // 's:home|0|10000'
 * ```
 */
export function windowResultId(key: Key, start: number, end: number): string {
  return `${encodeResultKey(key)}|${start}|${end}`;
}
