/**
 * The byte encoding of snapshots, shared by every backend so that each stored snapshot carries the
 * same format version and checksum (docs/architecture.md §4).
 *
 * Values: JSON, which is fast everywhere (native parse and stringify), extended by a small tagging
 * scheme for what JSON loses: strings that start with "~" encode the values JSON cannot hold, and a
 * real string starting with "~" gets one more "~". `~u` undefined, `~N` NaN, `~I` Infinity, `~-I`
 * -Infinity, `~-0` negative zero, `~b<digits>` bigint. An object with a null prototype (a
 * dictionary whose keys may be "constructor") is stored as `["~o", {...}]`: a real array starting
 * with the string "~o" holds "~~o" there, so the pair is unambiguous, and older snapshots, which
 * never hold it, decode as before. structuredClone would handle these values too, but it gives no
 * bytes to checksum and it is no file format.
 *
 * The encoding is split by concept: tagging what JSON loses (value-tagging.ts), big arrays as
 * binary columns (columns.ts), reviving tagged values (value-decoding.ts), and the checksummed
 * envelope a backend stores (envelope.ts).
 */

import { UnsupportedValueError } from './errors.js';
import type { ColumnSections } from './columns.js';
import { needsTags, tag } from './value-tagging.js';
import { findUnserializable } from '../state/serializable.js';
import { reviveObject, untagString } from './value-decoding.js';

/**
 * Encodes plain data (see `Snapshot`) as tagged JSON; with `columns`, big arrays of numbers or
 * strings go there as binary columns. Throws `UnsupportedValueError` naming the path.
 *
 * @example
 * const { json, tagged } = encodeValue({ count: 3n, low: -Infinity }); // '{"count":"~b3","low":"~-I"}'
 * decodeValue(json, tagged); // { count: 3n, low: -Infinity }
 */
export function encodeValue(
  value: unknown,
  columns?: ColumnSections,
): { readonly json: string; readonly tagged: boolean } {
  try {
    // Without columns, data with nothing to tag is written by JSON.stringify alone.
    if (columns === undefined && !needsTags(value)) return { json: JSON.stringify(value), tagged: false };
    return { json: JSON.stringify(tag(value, columns)), tagged: true };
  } catch (error) {
    if (error instanceof UnsupportedValueError) throw error;
    const found = findUnserializable(value, '');
    if (found !== undefined) throw new UnsupportedValueError(found.path, found.reason);
    throw new UnsupportedValueError('', `a value nested too deeply (${String(error)})`);
  }
}

/**
 * Decodes what `encodeValue` produced (with the binary part its columns went to). Throws a
 * SyntaxError or RangeError on malformed input. `prune`, when given, sees the parsed tree before
 * any tag is decoded and may delete parts of it: their binary columns are then never read (a
 * restore of a range of key groups leaves the other groups' tables out, `keyGroupPruner`).
 *
 * @example
 * decodeValue('["~N","~~tilde",null]', true); // [NaN, '~tilde', null]
 */
export function decodeValue(
  json: string,
  tagged: boolean,
  binary?: Uint8Array,
  prune?: (parsed: unknown) => void,
): unknown {
  const value: unknown = JSON.parse(json);
  prune?.(value);
  if (!tagged) return value;
  if (typeof value === 'string') return untagString(value, binary);
  if (typeof value === 'object' && value !== null)
    return reviveObject(value as Record<string, unknown> | unknown[], binary);
  return value;
}
