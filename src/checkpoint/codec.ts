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
 * Columns: operator state is mostly big arrays of keys and of values (the keyed state exports
 * `keys[i]` owns `values[i]`). Inside an envelope, an array of at least 16 numbers, or of 16 strings,
 * is stored out of the JSON as a binary column: Float64 values (little endian, 8-byte aligned in the
 * envelope's binary part), or the UTF-8 text of the strings joined by a separator character that
 * none of them contains; the JSON holds a tag in its place: `~cf<offset>:<count>` or
 * `~cs<offset>:<count>:<text bytes>:<separator code>`. Parsing a million strings out of JSON costs
 * about a second; one native split of one decoded text costs a third of that. An array of strings
 * with lone surrogates (which UTF-8 cannot carry), or holding every separator candidate, stays JSON.
 */

import { crc32 } from './crc32.js';
import { UnsupportedValueError } from './errors.js';
import { defineOwn, isPlainObject } from '../core/plain-data.js';
import { SNAPSHOT_FORMAT_VERSION } from './snapshot.js';

// TextEncoder/TextDecoder are globals in every supported platform (Node >= 11, all browsers), but
// not in the ES2022 lib the core compiles against: declared here, module-local, emitting nothing.
declare const TextEncoder: new () => {
  encode(input: string): Uint8Array;
  encodeInto(input: string, into: Uint8Array): { read: number; written: number };
};
declare const TextDecoder: new (label?: string) => { decode(input: Uint8Array): string };

const TILDE = 126;
/** Arrays shorter than this stay JSON: a column's tag and alignment cost more than they save. */
const COLUMN_MIN = 16;
const LITTLE_ENDIAN = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([1]).buffer)[0] === 1)();

/** Where binary columns go: `add` stores bytes and returns their offset in the binary part. */
export class ColumnSections {
  readonly parts: Uint8Array[] = [];
  #length = 0;

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

/**
 * Encodes plain data (see `Snapshot`) as tagged JSON; with `columns`, big arrays of numbers or
 * strings go there as binary columns. Throws `UnsupportedValueError` naming the path.
 *
 * @example
 * const { json, tagged } = encodeValue({ count: 3n, low: -Infinity }); // '{"count":"~b3","low":"~-I"}'
 * decodeValue(json, tagged); // { count: 3n, low: -Infinity }
 */
export function encodeValue(value: unknown, columns?: ColumnSections): { readonly json: string; readonly tagged: boolean } {
  try {
    // Without columns, data with nothing to tag is written by JSON.stringify alone.
    if (columns === undefined && !needsTags(value)) return { json: JSON.stringify(value), tagged: false };
    return { json: JSON.stringify(tag(value, columns)), tagged: true };
  } catch (error) {
    if (error instanceof UnsupportedValueError) throw error;
    const found = locate(value, '', new Set());
    if (found !== undefined) throw new UnsupportedValueError(found.path, found.reason);
    throw new UnsupportedValueError('', `a value nested too deeply (${String(error)})`);
  }
}

/**
 * Decodes what `encodeValue` produced (with the binary part its columns went to). Throws a
 * SyntaxError or RangeError on malformed input.
 *
 * @example
 * decodeValue('["~N","~~tilde",null]', true); // [NaN, '~tilde', null]
 */
export function decodeValue(json: string, tagged: boolean, binary?: Uint8Array): unknown {
  const value: unknown = JSON.parse(json);
  if (!tagged) return value;
  if (typeof value === 'string') return untagString(value, binary);
  if (typeof value === 'object' && value !== null) return reviveObject(value as Record<string, unknown> | unknown[], binary);
  return value;
}

class Unsupported extends Error {}

/** True when some value needs a tag; throws `Unsupported` on a value that is not plain data. */
function needsTags(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0 && v.charCodeAt(0) === TILDE;
    case 'number':
      return v !== v || v === Infinity || v === -Infinity || (v === 0 && 1 / v < 0);
    case 'boolean':
      return false;
    case 'undefined':
    case 'bigint':
      return true;
    case 'object': {
      if (v === null) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (needsTags(v[i])) return true;
        return false;
      }
      if (!isPlainObject(v)) throw new Unsupported();
      if (Object.getPrototypeOf(v) === null) return true;
      for (const k in v) {
        if (Object.prototype.hasOwnProperty.call(v, k) && needsTags((v as Record<string, unknown>)[k])) return true;
      }
      return false;
    }
    default:
      throw new Unsupported();
  }
}

/** The first item of the pair that stores an object with a null prototype. */
const NULL_PROTOTYPE = '~o';

/** A copy of `v` where every value JSON cannot hold is a tagged string, and big arrays are columns. */
function tag(v: unknown, columns: ColumnSections | undefined): unknown {
  switch (typeof v) {
    case 'string':
      return v.length > 0 && v.charCodeAt(0) === TILDE ? `~${v}` : v;
    case 'number':
      if (v !== v) return '~N';
      if (v === Infinity) return '~I';
      if (v === -Infinity) return '~-I';
      if (v === 0 && 1 / v < 0) return '~-0';
      return v;
    case 'boolean':
      return v;
    case 'undefined':
      return '~u';
    case 'bigint':
      return `~b${v.toString()}`;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        if (columns !== undefined && v.length >= COLUMN_MIN) {
          const column = writeColumn(v, columns);
          if (column !== undefined) return column;
        }
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) out.push(tag(v[i], columns));
        return out;
      }
      if (!isPlainObject(v)) throw new Unsupported();
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) defineOwn(out, k, tag((v as Record<string, unknown>)[k], columns));
      return Object.getPrototypeOf(v) === null ? [NULL_PROTOTYPE, out] : out;
    }
    default:
      throw new Unsupported();
  }
}

// isWellFormed (ES2024) tells whether a string has lone surrogates, which UTF-8 cannot carry.
const isWellFormed: (s: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (s) => (s as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (s) => !/[\uD800-\uDFFF]/.test(s);

/** Stores an array of only numbers or only strings as a column; undefined for any other array. */
function writeColumn(values: readonly unknown[], columns: ColumnSections): string | undefined {
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

/**
 * UTF-8 bytes of a long string. encodeInto into a buffer of one byte per character (enough for
 * ASCII, the usual keys) and, only if that is too small, three: in Chromium this is four times
 * faster than encode() on a 10 MB string.
 */
function utf8(text: string): Uint8Array {
  const encoder = new TextEncoder();
  let out = new Uint8Array(text.length);
  let result = encoder.encodeInto(text, out);
  if (result.read < text.length) {
    out = new Uint8Array(text.length * 3);
    result = encoder.encodeInto(text, out);
  }
  return out.subarray(0, result.written);
}

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

function readColumn(tagText: string, binary: Uint8Array | undefined): unknown[] {
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
    const [at, , bytes, separator] = parts as [number, number, number, number];
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(bytes) || at < 0 || at + bytes > binary.length) {
      throw new RangeError('a column lies outside the binary part');
    }
    if (!Number.isInteger(separator) || separator < 0 || separator > 0xffff) throw new RangeError('bad column separator');
    const strings = new TextDecoder().decode(binary.subarray(at, at + bytes)).split(String.fromCharCode(separator));
    if (strings.length !== n) throw new RangeError(`string column holds ${strings.length} strings, not ${n}`);
    return strings;
  }
  throw new SyntaxError(`bad column tag ${JSON.stringify(tagText.slice(0, 40))}`);
}

function untagString(s: string, binary: Uint8Array | undefined): unknown {
  if (s.length === 0 || s.charCodeAt(0) !== TILDE) return s;
  switch (s) {
    case '~u':
      return undefined;
    case '~N':
      return NaN;
    case '~I':
      return Infinity;
    case '~-I':
      return -Infinity;
    case '~-0':
      return -0;
  }
  const second = s.charCodeAt(1);
  if (second === TILDE) return s.slice(1);
  if (second === 98 /* b */ && /^~b-?\d+$/.test(s)) return BigInt(s.slice(2));
  if (second === 99 /* c */) return readColumn(s, binary);
  throw new SyntaxError(`unknown tag ${JSON.stringify(s.slice(0, 20))}`);
}

/**
 * Replaces tagged strings in place (the tree is fresh from JSON.parse, so nobody else sees it), and
 * returns the node, or the null-prototype object that a `["~o", {...}]` pair stands for.
 */
function reviveObject(node: Record<string, unknown> | unknown[], binary: Uint8Array | undefined): unknown {
  if (Array.isArray(node)) {
    if (node.length === 2 && node[0] === NULL_PROTOTYPE) return withNullPrototype(node[1] as Record<string, unknown>, binary);
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') {
        if (v.length > 0 && v.charCodeAt(0) === TILDE) node[i] = untagString(v, binary);
      } else if (typeof v === 'object' && v !== null) node[i] = reviveObject(v as Record<string, unknown>, binary);
    }
    return node;
  }
  for (const k of Object.keys(node)) {
    const v = node[k];
    // JSON.parse made "__proto__" an own data property, so plain assignment below updates it in place.
    if (typeof v === 'string') {
      if (v.length > 0 && v.charCodeAt(0) === TILDE) node[k] = untagString(v, binary);
    } else if (typeof v === 'object' && v !== null) node[k] = reviveObject(v as Record<string, unknown>, binary);
  }
  return node;
}

function withNullPrototype(node: Record<string, unknown>, binary: Uint8Array | undefined): Record<string, unknown> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new SyntaxError('a null-prototype tag without its object');
  reviveObject(node, binary);
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(node)) defineOwn(out, k, node[k]);
  return out;
}

/** Slow path for error messages: the path and kind of the first value that is not plain data. */
function locate(v: unknown, path: string, seen: Set<object>): { path: string; reason: string } | undefined {
  switch (typeof v) {
    case 'function':
      return { path, reason: `a function (${v.name || 'anonymous'})` };
    case 'symbol':
      return { path, reason: `a symbol (${v.toString()})` };
    case 'object': {
      if (v === null) return undefined;
      if (seen.has(v)) return { path, reason: 'a cyclic reference' };
      if (!Array.isArray(v) && !isPlainObject(v)) {
        const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
        return { path, reason: `an instance of ${typeof name === 'string' && name ? name : 'a class'} (convert it to arrays or plain objects)` };
      }
      seen.add(v);
      const keys = Array.isArray(v) ? v.map((_x, i) => i) : Object.keys(v);
      for (const k of keys) {
        const child = (v as Record<string | number, unknown>)[k];
        const found = locate(child, typeof k === 'number' ? `${path}[${k}]` : `${path}${/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`, seen);
        if (found !== undefined) return found;
      }
      seen.delete(v);
      return undefined;
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Envelope

const MAGIC = [0x52, 0x58, 0x46, 0x53]; // "RXFS"
const PREFIX = 24;

/** What the envelope header holds: free-form identity fields plus the body's tagging flag. */
export interface EnvelopeHeader {
  readonly [field: string]: unknown;
}

/** Why an envelope was refused; the caller turns it into a typed error naming the snapshot. */
export type EnvelopeProblem =
  | { readonly kind: 'corrupt'; readonly reason: string; readonly cause?: unknown }
  | { readonly kind: 'incompatible'; readonly version: number };

/** Thrown by the envelope readers; backends convert it into Corrupt/IncompatibleSnapshotError. */
export class EnvelopeError extends Error {
  readonly problem: EnvelopeProblem;
  constructor(problem: EnvelopeProblem) {
    super(problem.kind === 'corrupt' ? problem.reason : `format version ${problem.version}`);
    this.problem = problem;
  }
}

/**
 * Encodes `header` and `body` (tagged JSON; with `columns`, big arrays go to the binary part) into
 * checksummed bytes. Throws `UnsupportedValueError` when the body holds a
 * value that is not plain data.
 *
 * Layout (little endian): "RXFS", u32 format version, u32 header length, u32 JSON body length,
 * u32 binary length, u32 CRC-32 of bytes 4..20 and of everything after byte 24.
 *
 * @example
 * const bytes = encodeEnvelope({ type: 'note' }, { keys: ['a', 'b'], at: -0 }, { columns: true });
 * openEnvelope(bytes).body(); // { keys: ['a', 'b'], at: -0 }
 */
export function encodeEnvelope(header: EnvelopeHeader, body: unknown, options: { readonly columns?: boolean } = {}): Uint8Array {
  const columns = options.columns === true ? new ColumnSections() : undefined;
  const encodedBody = encodeValue(body, columns);
  const binary = columns?.parts ?? [];
  const headerJson = encodeValue({ ...header, tagged: encodedBody.tagged }).json;
  const encoder = new TextEncoder();
  const headerBytes = encoder.encode(headerJson);
  const bodyBytes = encoder.encode(encodedBody.json);
  let binaryLength = 0;
  for (const section of binary) binaryLength += section.length;
  const out = new Uint8Array(PREFIX + headerBytes.length + bodyBytes.length + binaryLength);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  view.setUint32(12, bodyBytes.length, true);
  view.setUint32(16, binaryLength, true);
  let at = PREFIX;
  out.set(headerBytes, at);
  at += headerBytes.length;
  out.set(bodyBytes, at);
  at += bodyBytes.length;
  for (const section of binary) {
    out.set(section, at);
    at += section.length;
  }
  view.setUint32(20, checksum(out), true);
  return out;
}

function checksum(bytes: Uint8Array): number {
  return crc32(bytes, PREFIX, bytes.length, crc32(bytes, 4, 20));
}

/**
 * The CRC-32 an envelope stores (valid only for bytes produced by `encodeEnvelope`).
 *
 * @example
 * storedChecksum(encodeEnvelope({}, null)) === openEnvelope(encodeEnvelope({}, null)).checksum; // true
 */
export function storedChecksum(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(20, true);
}

/** A verified envelope: its format version, header, and the undecoded body. */
export interface OpenedEnvelope {
  readonly formatVersion: number;
  readonly header: EnvelopeHeader;
  readonly checksum: number;
  readonly byteLength: number;
  /** Decodes the body (for a large snapshot the costly part). */
  body(): unknown;
}

/**
 * Verifies magic, format version, lengths and checksum, then decodes the header. Throws
 * `EnvelopeError` on anything wrong: nothing of a damaged snapshot is ever returned.
 *
 * @example
 * try {
 *   openEnvelope(bytes.subarray(0, 100));
 * } catch (error) {
 *   if (error instanceof EnvelopeError) console.log(error.problem); // { kind: 'corrupt', reason: 'truncated: ...' }
 * }
 */
export function openEnvelope(bytes: Uint8Array): OpenedEnvelope {
  const corrupt = (reason: string, cause?: unknown): never => {
    throw new EnvelopeError(cause === undefined ? { kind: 'corrupt', reason } : { kind: 'corrupt', reason, cause });
  };
  if (bytes.length < 8) corrupt(`truncated: ${bytes.length} bytes, shorter than the envelope prefix`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) corrupt('not a snapshot (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint32(4, true);
  // A newer version may lay out the rest differently: refuse before reading anything else.
  if (formatVersion > SNAPSHOT_FORMAT_VERSION) throw new EnvelopeError({ kind: 'incompatible', version: formatVersion });
  if (formatVersion === 0) corrupt('format version 0 does not exist');
  if (bytes.length < PREFIX) corrupt(`truncated: ${bytes.length} bytes, shorter than the ${PREFIX}-byte envelope prefix`);
  const headerLength = view.getUint32(8, true);
  const bodyLength = view.getUint32(12, true);
  const binaryLength = view.getUint32(16, true);
  const expected = PREFIX + headerLength + bodyLength + binaryLength;
  if (bytes.length < expected) corrupt(`truncated: ${bytes.length} of ${expected} bytes`);
  if (bytes.length > expected) corrupt(`${bytes.length - expected} trailing bytes after the snapshot`);
  const stored = view.getUint32(20, true);
  const actual = checksum(bytes);
  if (stored !== actual) corrupt(`checksum mismatch (stored CRC-32 ${hex(stored)}, computed ${hex(actual)})`);
  const decoder = new TextDecoder();
  let header: EnvelopeHeader;
  try {
    header = decodeValue(decoder.decode(bytes.subarray(PREFIX, PREFIX + headerLength)), true) as EnvelopeHeader;
  } catch (error) {
    return corrupt('undecodable header', error);
  }
  if (typeof header !== 'object' || header === null) corrupt('header is not an object');
  const tagged = header.tagged === true;
  const bodyStart = PREFIX + headerLength;
  return {
    formatVersion,
    header,
    checksum: stored,
    byteLength: bytes.length,
    body(): unknown {
      try {
        return decodeValue(decoder.decode(bytes.subarray(bodyStart, bodyStart + bodyLength)), tagged, bytes.subarray(bodyStart + bodyLength));
      } catch (error) {
        return corrupt('undecodable body', error);
      }
    },
  };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
