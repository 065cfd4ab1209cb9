/**
 * The envelope every backend stores a snapshot in (docs/architecture.md §4): a header, the body as
 * tagged JSON (codec.ts) with its binary columns, the format version and a CRC-32 checksum.
 */

import { crc32 } from './crc32.js';
import { decodeValue, encodeValue } from './codec.js';
import { ColumnSections } from './columns.js';
import { SNAPSHOT_FORMAT_VERSION } from './snapshot.js';
import { decodeUtf8, utf8 } from './utf8.js';

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
  declare readonly problem: EnvelopeProblem;
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
export function encodeEnvelope(
  header: EnvelopeHeader,
  body: unknown,
  options: { readonly columns?: boolean } = {},
): Uint8Array {
  const columns = options.columns === true ? new ColumnSections() : undefined;
  const encodedBody = encodeValue(body, columns);
  const binary = columns?.parts ?? [];
  const headerJson = encodeValue({ ...header, tagged: encodedBody.tagged }).json;
  const headerBytes = utf8(headerJson);
  const bodyBytes = utf8(encodedBody.json);
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
  /** Decodes the body (for a large snapshot the costly part); `prune` as `decodeValue` takes it. */
  body(prune?: (parsed: unknown) => void): unknown;
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
  if (formatVersion > SNAPSHOT_FORMAT_VERSION)
    throw new EnvelopeError({ kind: 'incompatible', version: formatVersion });
  if (formatVersion === 0) corrupt('format version 0 does not exist');
  if (bytes.length < PREFIX)
    corrupt(`truncated: ${bytes.length} bytes, shorter than the ${PREFIX}-byte envelope prefix`);
  const headerLength = view.getUint32(8, true);
  const bodyLength = view.getUint32(12, true);
  const binaryLength = view.getUint32(16, true);
  const expected = PREFIX + headerLength + bodyLength + binaryLength;
  if (bytes.length < expected) corrupt(`truncated: ${bytes.length} of ${expected} bytes`);
  if (bytes.length > expected) corrupt(`${bytes.length - expected} trailing bytes after the snapshot`);
  const stored = view.getUint32(20, true);
  const actual = checksum(bytes);
  if (stored !== actual) corrupt(`checksum mismatch (stored CRC-32 ${hex(stored)}, computed ${hex(actual)})`);
  let header: EnvelopeHeader;
  try {
    header = decodeValue(decodeUtf8(bytes.subarray(PREFIX, PREFIX + headerLength)), true) as EnvelopeHeader;
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
    body(prune?: (parsed: unknown) => void): unknown {
      try {
        return decodeValue(
          decodeUtf8(bytes.subarray(bodyStart, bodyStart + bodyLength)),
          tagged,
          bytes.subarray(bodyStart + bodyLength),
          prune,
        );
      } catch (error) {
        return corrupt('undecodable body', error);
      }
    },
  };
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
