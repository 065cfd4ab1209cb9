/**
 * The wire format of a columnar batch (docs/parallel-transport.md): what `columnarCodec` posts. All
 * numbers, indexes, flags and tags of a batch sit in ONE ArrayBuffer, which is transferred; the
 * strings of the batch sit in one dictionary string, which structured clone copies exactly (it keeps
 * every UTF-16 code unit, lone surrogates included).
 */

/** The scalar types a cell may hold, as bits: a column's mask is the union over its rows. */
export const NUM = 1;
export const STR = 2;
export const BOOL = 4;
export const NULL = 8;
export const UNDEF = 16;

/**
 * One column of scalars in the buffer. Its mask says how the rows are stored:
 * - only numbers: a Float64Array at `at`;
 * - only strings: a Uint32Array of dictionary indexes at `at`;
 * - only booleans: a Uint8Array of 0/1 at `at`;
 * - only null, or only undefined: nothing (every row is that value);
 * - a mix: a Uint8Array of type bits at `tagsAt` and a Float64Array at `at` that holds the number,
 *   the dictionary index or the boolean (0/1) of each row.
 */
export interface Cell {
  readonly mask: number;
  readonly at: number;
  readonly tagsAt: number;
}

/** How the key or the value of every record of the batch was taken apart. */
export type ColumnLayout =
  /** A primitive per record (number, string, boolean, null, undefined). */
  | { readonly shape: 'scalar'; readonly cell: Cell }
  /** An array of primitives per record, all of one length: a cell per position. */
  | { readonly shape: 'tuple'; readonly cells: readonly Cell[] }
  /** A plain object per record, all with the same own keys in the same order: a cell per field. */
  | { readonly shape: 'object'; readonly fields: readonly string[]; readonly cells: readonly Cell[] };

/** A batch as columns. A structured-clone batch is the records array itself (see `batchPath`). */
export interface ColumnarPayload {
  readonly count: number;
  /** Pooled and transferred; may be longer than the batch needs. */
  readonly buffer: ArrayBuffer;
  /** Timestamps: a Float64Array of `count` at `timestampsAt`. */
  readonly timestampsAt: number;
  /** Key groups plus one (-1 becomes 0): a Uint16Array of `count` at `keyGroupsAt`. */
  readonly keyGroupsAt: number;
  readonly key: ColumnLayout;
  readonly value: ColumnLayout;
  /** The distinct strings of the batch, joined; their lengths are a Uint32Array of `dictionarySize` at `dictionaryAt`. */
  readonly dictionary: string;
  readonly dictionarySize: number;
  readonly dictionaryAt: number;
}

/** The type bit of a value that fits a cell, or 0 for any other value (objects, bigint, symbols...). */
export function scalarBit(value: unknown): number {
  if (typeof value === 'number') return NUM;
  if (typeof value === 'string') return STR;
  if (typeof value === 'boolean') return BOOL;
  if (value === null) return NULL;
  return value === undefined ? UNDEF : 0;
}

/** Whether a mask holds one type only, which is stored without tags. */
export function isPure(mask: number): boolean {
  return (mask & (mask - 1)) === 0;
}

/**
 * Which path a payload took: `'columnar'`, or `'clone'` for a batch that `columnarCodec` left to
 * structured clone (or that `structuredCloneCodec` made).
 *
 * @example
 * ```ts
 * // internal: expect(batchPath(codec.encode(records).payload)).toBe('columnar');
 * ```
 */
export function batchPath(payload: unknown): 'columnar' | 'clone' {
  return Array.isArray(payload) ? 'clone' : 'columnar';
}
