import { TUPLE_PREFIX, type Key, type KeyPart } from '../core/keys.js';

/**
 * The key behind a key id from `keyId` (src/core/keys.ts). Keyed tables and timer queues store
 * only the id (a primitive, so a JavaScript Map compares it by value); snapshots, error messages
 * and `ctx.key` need the key itself. Primitive keys are their own id, except a string that starts
 * with "\0", whose id has one more "\0" in front; a tuple's id is decoded from its tagged encoding
 * (`\0tuple` then `|type:length:text` per part).
 *
 * @example
 * ```ts
 * keyFromId(keyId(['a', 1])); // ['a', 1]
 * keyFromId(keyId('\u0000tuple')); // '\u0000tuple'
 * ```
 */
export function keyFromId(id: KeyPart): Key {
  if (typeof id !== 'string' || id.charCodeAt(0) !== 0) return id;
  if (id.charCodeAt(1) === 0) return id.slice(1); // an escaped string key
  const parts: KeyPart[] = [];
  let i = TUPLE_PREFIX.length;
  while (i < id.length) {
    // id[i] is '|'
    const typeEnd = id.indexOf(':', i + 1);
    const lengthEnd = id.indexOf(':', typeEnd + 1);
    if (id[i] !== '|' || typeEnd < 0 || lengthEnd < 0) return id; // not an encoded tuple after all
    const type = id.slice(i + 1, typeEnd);
    const length = Number(id.slice(typeEnd + 1, lengthEnd));
    const text = id.slice(lengthEnd + 1, lengthEnd + 1 + length);
    switch (type) {
      case 'string':
        parts.push(text);
        break;
      case 'number':
        parts.push(Number(text));
        break;
      case 'bigint':
        parts.push(BigInt(text));
        break;
      case 'boolean':
        parts.push(text === 'true');
        break;
      default:
        return id;
    }
    i = lengthEnd + 1 + length;
  }
  return parts;
}
