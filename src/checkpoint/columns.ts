/**
 * Binary columns of the snapshot encoding (codec.ts).
 *
 * Columns: operator state is mostly big arrays of keys and of values (the keyed state exports
 * `keys[i]` owns `values[i]`). Inside an envelope, an array of at least 16 numbers, or of 16 strings,
 * is stored out of the JSON as a binary column: Float64 values (little endian, 8-byte aligned in the
 * envelope's binary part), or the UTF-8 text of the strings joined by a separator character that
 * none of them contains; the JSON holds a tag in its place: `~cf<offset>:<count>` or
 * `~cs<offset>:<count>:<text bytes>:<separator code>`. Parsing a million strings out of JSON costs
 * about a second; one native split of one decoded text costs a third of that. An array of strings
 * with lone surrogates (which UTF-8 cannot carry), or holding every separator candidate, stays JSON.
 * Any other array of at least 16 items is a JSON section of its own (`~cj`, `writeJsonColumn`).
 */

import { decodeUtf8, utf8 } from './utf8.js';

/** Arrays shorter than this stay JSON: a column's tag and alignment cost more than they save. */
export const COLUMN_MIN = 16;
const LITTLE_ENDIAN = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([1]).buffer)[0] === 1)();

/** Where binary columns go: `add` stores bytes and returns their offset in the binary part. */
export class ColumnSections {
  readonly parts: Uint8Array[] = [];
  #length = 0;

  /** Appends `bytes`, 8-byte aligned (padding before them if needed), and returns their offset. */
  add(bytes: Uint8Array): number {
    const pad = (8 - (this.#length % 8)) % 8;
    if (pad > 0) {
      this.parts.push(new Uint8Array(pad));
      this.#length += pad;
    }
    const at = this.#length;
    this.parts.push(bytes);
    this.#length += bytes.length;
    return at;
  }
}

// isWellFormed (ES2024) tells whether a string has lone surrogates, which UTF-8 cannot carry.
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\uD800-\uDFFF]/.test(s);

/** Stores an array of only numbers or only strings as a column; undefined for any other array. */
export function writeColumn(values: readonly unknown[], columns: ColumnSections): string | undefined {
  const n = values.length;
  const first = typeof values[0];
  if (first !== 'number' && first !== 'string') return undefined;
  for (let i = 1; i < n; i++) if (typeof values[i] !== first) return undefined;
  if (first === 'number') {
    const column = new Float64Array(n);
    for (let i = 0; i < n; i++) column[i] = values[i] as number;
    return `~cf${columns.add(toLittleEndian(new Uint8Array(column.buffer), 8))}:${n}`;
  }
  // Strings are joined with a separator none of them contains, so that decoding is one native
  // split (about twice as fast as slicing a million substrings out by length).
  const plain = (values as readonly string[]).join('');
  if (!isWellFormed(plain)) return undefined;
  const separator = SEPARATORS.find((c) => !plain.includes(c));
  if (separator === undefined) return undefined;
  const text = utf8((values as readonly string[]).join(separator));
  return `~cs${columns.add(text)}:${n}:${text.length}:${separator.charCodeAt(0)}`;
}

/** Separator candidates for string columns: control and non-characters that keys rarely hold. */
const SEPARATORS = ['\u0000', '\u0001', '\u001f', '\uffff', '\ufffe'];

function toLittleEndian(bytes: Uint8Array, width: number): Uint8Array {
  if (LITTLE_ENDIAN) return bytes;
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
  return bytes;
}

/** Copies `length` bytes at `at` of `binary` into a fresh, aligned buffer in platform byte order. */
function aligned(binary: Uint8Array, at: number, length: number, width: number): ArrayBuffer {
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(length) || at < 0 || at + length > binary.length) {
    throw new RangeError('a column lies outside the binary part');
  }
  // Not binary.slice: Node's Buffer.slice returns a view of a shared pool, not a copy.
  const copy = new Uint8Array(length);
  copy.set(binary.subarray(at, at + length));
  return toLittleEndian(copy, width).buffer as ArrayBuffer;
}

/**
 * Stores an array that is no number or string column (rows of objects or arrays, already tagged)
 * as a JSON section of its own: `~cj<offset>:<count>:<text bytes>`. The body's JSON then holds
 * only the tag, so that a restore of some key groups parses the JSON of those groups' tables
 * only: the others are pruned before their sections are read (a parse of the whole body cost a
 * restore of half the key groups of the general window path two thirds of a restore of all).
 */
export function writeJsonColumn(tagged: readonly unknown[], columns: ColumnSections): string {
  const text = utf8(JSON.stringify(tagged));
  return `~cj${columns.add(text)}:${tagged.length}:${text.length}`;
}

/** The text of a column's bytes: `parts` are its offset, count and length in bytes. */
function text(binary: Uint8Array, parts: readonly number[]): string {
  const at = parts[0]!;
  const bytes = parts[2]!;
  if (!Number.isSafeInteger(at) || !Number.isSafeInteger(bytes) || at < 0 || at + bytes > binary.length) {
    throw new RangeError('a column lies outside the binary part');
  }
  return decodeUtf8(binary.subarray(at, at + bytes));
}

export function readColumn(tagText: string, binary: Uint8Array | undefined): unknown[] {
  if (binary === undefined) throw new SyntaxError('a column tag outside an envelope');
  const parts = tagText.slice(3).split(':').map(Number);
  const n = parts[1]!;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('bad column length');
  const out: unknown[] = [];
  if (tagText.charCodeAt(2) === 102 /* f */ && parts.length === 2) {
    const values = new Float64Array(aligned(binary, parts[0]!, n * 8, 8));
    for (let i = 0; i < n; i++) out.push(values[i]);
    return out;
  }
  if (tagText.charCodeAt(2) === 115 /* s */ && parts.length === 4) {
    const separator = parts[3]!;
    if (!Number.isInteger(separator) || separator < 0 || separator > 0xffff)
      throw new RangeError('bad column separator');
    const strings = text(binary, parts).split(String.fromCharCode(separator));
    if (strings.length !== n) throw new RangeError(`string column holds ${strings.length} strings, not ${n}`);
    return strings;
  }
  if (tagText.charCodeAt(2) === 106 /* j */ && parts.length === 3) {
    const rows: unknown = JSON.parse(text(binary, parts));
    if (!Array.isArray(rows) || rows.length !== n) throw new RangeError('bad JSON column');
    return rows; // (still tagged: the caller revives it)
  }
  throw new SyntaxError(`bad column tag ${JSON.stringify(tagText.slice(0, 40))}`);
}
