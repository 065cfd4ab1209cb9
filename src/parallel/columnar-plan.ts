import type { StreamRecord } from '../core/elements.js';
import { scalarBit } from './columnar-payload.js';

/**
 * The first pass of `columnarCodec.encode`: whether the keys (or the values) of a batch fit columns,
 * and which scalar types each column holds. Anything that does not fit exactly gives `undefined`,
 * and the whole batch goes by structured clone: a value is never changed to fit a column. The pass
 * also gathers each column's values (`columns`, one per mask) so that the writers read each property
 * once.
 */
export type ColumnPlan =
  | { readonly shape: 'scalar'; readonly masks: number[]; readonly columns: unknown[][] }
  | { readonly shape: 'tuple'; readonly masks: number[]; readonly columns: unknown[][] }
  | {
      readonly shape: 'object';
      readonly fields: readonly string[];
      readonly masks: number[];
      readonly columns: unknown[][];
    };

/**
 * Arrays that hold the gathered columns of one batch, reused from batch to batch (and emptied after
 * each, so that they keep no value alive).
 */
export class Scratch {
  readonly #arrays: unknown[][] = [];
  #used = 0;
  #length = 0;

  /** An array for one column of a batch of `length` records. */
  take(length: number): unknown[] {
    this.#length = Math.max(this.#length, length);
    if (this.#used === this.#arrays.length) this.#arrays.push([]);
    return this.#arrays[this.#used++]!;
  }

  /** Empties the arrays taken since the last call. */
  clear(): void {
    for (let a = 0; a < this.#used; a++) this.#arrays[a]!.fill(undefined, 0, this.#length);
    this.#used = 0;
    this.#length = 0;
  }
}

/** Wider objects or tuples are rare on a stream; they go by structured clone. */
const MAX_PARTS = 64;

/** Reads the key or the value of record `i`. */
export function pick(records: readonly StreamRecord<unknown, unknown>[], i: number, ofKey: boolean): unknown {
  const r = records[i]!;
  return ofKey ? r.key : r.value;
}

/**
 * Plans the key column (`ofKey`) or the value column of a non-empty batch, or gives `undefined` when
 * it does not fit columns.
 *
 * Example (an internal helper):
 * ```ts
 * // internal: planColumn([record({ word: 'a', count: 1 }, 0)], false); // { shape: 'object', fields: ['word', 'count'], masks: [2, 1] }
 * ```
 */
export function planColumn(
  records: readonly StreamRecord<unknown, unknown>[],
  ofKey: boolean,
  scratch: Scratch,
): ColumnPlan | undefined {
  const first = pick(records, 0, ofKey);
  if (typeof first !== 'object' || first === null) return planScalar(records, ofKey, scratch);
  if (Array.isArray(first)) return planTuple(records, ofKey, first.length, scratch);
  if (Object.getPrototypeOf(first) !== Object.prototype) return undefined;
  return planObject(records, ofKey, Object.keys(first), scratch);
}

function planScalar(
  records: readonly StreamRecord<unknown, unknown>[],
  ofKey: boolean,
  scratch: Scratch,
): ColumnPlan | undefined {
  const column = scratch.take(records.length);
  let mask = 0;
  for (let i = 0; i < records.length; i++) {
    const value = pick(records, i, ofKey);
    const bit = scalarBit(value);
    if (bit === 0) return undefined;
    mask |= bit;
    column[i] = value;
  }
  return { shape: 'scalar', masks: [mask], columns: [column] };
}

function planTuple(
  records: readonly StreamRecord<unknown, unknown>[],
  ofKey: boolean,
  length: number,
  scratch: Scratch,
): ColumnPlan | undefined {
  if (length === 0 || length > MAX_PARTS) return undefined;
  const masks = new Array<number>(length).fill(0);
  const columns = masks.map(() => scratch.take(records.length));
  for (let i = 0; i < records.length; i++) {
    const tuple = pick(records, i, ofKey);
    if (!Array.isArray(tuple) || tuple.length !== length || Object.getPrototypeOf(tuple) !== Array.prototype)
      return undefined;
    // for-in counts the own enumerable keys: exactly `length` means no hole and no extra property.
    let keys = 0;
    for (const _ in tuple) keys++;
    if (keys !== length) return undefined;
    for (let p = 0; p < length; p++) {
      const part: unknown = tuple[p];
      const bit = scalarBit(part);
      if (bit === 0) return undefined;
      masks[p]! |= bit;
      columns[p]![i] = part;
    }
  }
  return { shape: 'tuple', masks, columns };
}

function planObject(
  records: readonly StreamRecord<unknown, unknown>[],
  ofKey: boolean,
  fields: readonly string[],
  scratch: Scratch,
): ColumnPlan | undefined {
  if (fields.length === 0 || fields.length > MAX_PARTS) return undefined;
  for (let i = 0; i < records.length; i++) {
    const value = pick(records, i, ofKey);
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype)
      return undefined;
    // Same own enumerable keys in the same order (a field set to undefined is not a missing one).
    // for-in allocates nothing, unlike Object.keys; Object.prototype has no enumerable key.
    let k = 0;
    for (const name in value) {
      if (name !== fields[k]) return undefined;
      k++;
    }
    if (k !== fields.length) return undefined;
  }
  // Column by column, so that each loop reads one property name (a monomorphic keyed load).
  const masks = new Array<number>(fields.length).fill(0);
  const columns: unknown[][] = [];
  for (let f = 0; f < fields.length; f++) {
    const name = fields[f]!;
    const column = scratch.take(records.length);
    columns.push(column);
    let mask = 0;
    for (let i = 0; i < records.length; i++) {
      const value = (pick(records, i, ofKey) as Record<string, unknown>)[name];
      const bit = scalarBit(value);
      if (bit === 0) return undefined;
      mask |= bit;
      column[i] = value;
    }
    masks[f] = mask;
  }
  return { shape: 'object', fields, masks, columns };
}
