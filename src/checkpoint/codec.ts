/**
 * The byte encoding of snapshots, shared by every backend so that each stored snapshot carries the
 * same format version and checksum (DESIGN.md §4).
 *
 * Values: JSON, which is fast everywhere (native parse and stringify), extended by a small tagging
 * scheme for what JSON loses: strings that start with "~" encode the values JSON cannot hold, and a
 * real string starting with "~" gets one more "~". `~u` undefined, `~N` NaN, `~I` Infinity, `~-I`
 * -Infinity, `~-0` negative zero, `~b<digits>` bigint. A value with none of these (the usual case: a
 * million `[key, count]` entries) is written as plain JSON and read back without a revive pass;
 * a flag in the header says which. structuredClone would handle these values too, but it gives no
 * bytes to checksum and it does not exist as a file format.
 *
 * Envelope (little endian): "RXFS" magic, u32 format version, u32 header length, u32 body length,
 * u32 CRC-32 of everything after the magic except the CRC itself; then the header (UTF-8 JSON with
 * the snapshot's identity, so errors and listings can name it without decoding the body) and the body.
 */

import { crc32 } from './crc32.js';
import { UnsupportedValueError } from './errors.js';
import { defineOwn, SNAPSHOT_FORMAT_VERSION } from './snapshot.js';

// TextEncoder/TextDecoder are globals in every supported platform (Node >= 11, all browsers), but
// not in the ES2022 lib the core compiles against: declared here, module-local, emitting nothing.
declare const TextEncoder: new () => { encode(input: string): Uint8Array };
declare const TextDecoder: new (label?: string) => { decode(input: Uint8Array): string };

const TILDE = 126;

/** Encodes plain data (see `Snapshot`) as tagged JSON. Throws `UnsupportedValueError` naming the path. */
export function encodeValue(value: unknown): { readonly json: string; readonly tagged: boolean } {
  let tagged: boolean;
  try {
    tagged = needsTags(value);
    if (tagged) return { json: JSON.stringify(tag(value)), tagged };
    return { json: JSON.stringify(value) ?? '"~u"', tagged: value === undefined };
  } catch (error) {
    if (error instanceof UnsupportedValueError) throw error;
    const found = locate(value, '', new Set());
    if (found !== undefined) throw new UnsupportedValueError(found.path, found.reason);
    throw new UnsupportedValueError('', `a value nested too deeply (${String(error)})`);
  }
}

/** Decodes what `encodeValue` produced. Throws a SyntaxError or RangeError on malformed input. */
export function decodeValue(json: string, tagged: boolean): unknown {
  const value: unknown = JSON.parse(json);
  if (!tagged) return value;
  if (typeof value === 'string') return untagString(value);
  if (typeof value === 'object' && value !== null) revive(value as Record<string, unknown>);
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
      for (const k in v) {
        if (Object.prototype.hasOwnProperty.call(v, k) && needsTags((v as Record<string, unknown>)[k])) return true;
      }
      return false;
    }
    default:
      throw new Unsupported();
  }
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A copy of `v` where every value JSON cannot hold is a tagged string. */
function tag(v: unknown): unknown {
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
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) out[i] = tag(v[i]);
        return out;
      }
      if (!isPlainObject(v)) throw new Unsupported();
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) defineOwn(out, k, tag((v as Record<string, unknown>)[k]));
      return out;
    }
    default:
      throw new Unsupported();
  }
}

function untagString(s: string): unknown {
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
  if (s.charCodeAt(1) === TILDE) return s.slice(1);
  if (s.charCodeAt(1) === 98 /* b */ && /^~b-?\d+$/.test(s)) return BigInt(s.slice(2));
  throw new SyntaxError(`unknown tag ${JSON.stringify(s.slice(0, 20))}`);
}

/** Replaces tagged strings in place (the tree is fresh from JSON.parse, so nobody else sees it). */
function revive(node: Record<string, unknown> | unknown[]): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') {
        if (v.length > 0 && v.charCodeAt(0) === TILDE) node[i] = untagString(v);
      } else if (typeof v === 'object' && v !== null) revive(v as Record<string, unknown>);
    }
    return;
  }
  for (const k of Object.keys(node)) {
    const v = node[k];
    // JSON.parse made "__proto__" an own data property, so plain assignment below updates it in place.
    if (typeof v === 'string') {
      if (v.length > 0 && v.charCodeAt(0) === TILDE) node[k] = untagString(v);
    } else if (typeof v === 'object' && v !== null) revive(v as Record<string, unknown>);
  }
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
const PREFIX = 20;

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
 * Encodes `header` and `body` into checksummed bytes. Throws `UnsupportedValueError` when the body
 * holds a value that is not plain data.
 */
export function encodeEnvelope(header: EnvelopeHeader, body: unknown): Uint8Array {
  const encodedBody = encodeValue(body);
  const headerJson = encodeValue({ ...header, tagged: encodedBody.tagged }).json;
  const encoder = new TextEncoder();
  const headerBytes = encoder.encode(headerJson);
  const bodyBytes = encoder.encode(encodedBody.json);
  const out = new Uint8Array(PREFIX + headerBytes.length + bodyBytes.length);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, SNAPSHOT_FORMAT_VERSION, true);
  view.setUint32(8, headerBytes.length, true);
  view.setUint32(12, bodyBytes.length, true);
  out.set(headerBytes, PREFIX);
  out.set(bodyBytes, PREFIX + headerBytes.length);
  view.setUint32(16, checksum(out), true);
  return out;
}

function checksum(bytes: Uint8Array): number {
  return crc32(bytes, PREFIX, bytes.length, crc32(bytes, 4, 16));
}

/** A verified envelope: its format version, header, and the undecoded body. */
export interface OpenedEnvelope {
  readonly formatVersion: number;
  readonly header: EnvelopeHeader;
  readonly checksum: number;
  readonly byteLength: number;
  /** Decodes the body (a JSON parse; for a large snapshot the costly part). */
  body(): unknown;
}

/**
 * Verifies magic, format version, lengths and checksum, then decodes the header. Throws
 * `EnvelopeError` on anything wrong: nothing of a damaged snapshot is ever returned.
 */
export function openEnvelope(bytes: Uint8Array): OpenedEnvelope {
  const corrupt = (reason: string, cause?: unknown): never => {
    throw new EnvelopeError(cause === undefined ? { kind: 'corrupt', reason } : { kind: 'corrupt', reason, cause });
  };
  if (bytes.length < PREFIX) corrupt(`truncated: ${bytes.length} bytes, shorter than the ${PREFIX}-byte envelope prefix`);
  for (let i = 0; i < 4; i++) if (bytes[i] !== MAGIC[i]) corrupt('not a snapshot (bad magic bytes)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = view.getUint32(4, true);
  if (formatVersion > SNAPSHOT_FORMAT_VERSION) throw new EnvelopeError({ kind: 'incompatible', version: formatVersion });
  if (formatVersion === 0) corrupt('format version 0 does not exist');
  const headerLength = view.getUint32(8, true);
  const bodyLength = view.getUint32(12, true);
  const expected = PREFIX + headerLength + bodyLength;
  if (bytes.length < expected) corrupt(`truncated: ${bytes.length} of ${expected} bytes`);
  if (bytes.length > expected) corrupt(`${bytes.length - expected} trailing bytes after the snapshot`);
  const stored = view.getUint32(16, true);
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
  return {
    formatVersion,
    header,
    checksum: stored,
    byteLength: bytes.length,
    body(): unknown {
      try {
        return decodeValue(decoder.decode(bytes.subarray(PREFIX + headerLength)), tagged);
      } catch (error) {
        return corrupt('undecodable body', error);
      }
    },
  };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
