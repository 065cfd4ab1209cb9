/**
 * The built-in aggregates (count, sum, min, max, average, and a `combine` of them) as the pane table
 * folds them: each window's accumulator is a slot in a few number columns of its pane, one column
 * per number, as the hand-written loop of bench/pipeline-baselines.ts keeps them, instead of an
 * accumulator object per window and a call through the aggregate per element. The columns hold
 * plain numbers, nothing per window for the collector to trace or copy, and the arithmetic is the
 * aggregates' own (`acc + 1`, `acc + select(v)`, `Math.min`, `Math.max`), so results are the same.
 *
 * Snapshots see no difference: a slot is exported as the accumulator the aggregate would hold
 * (`toAccumulator`) and restored from one (`fromAccumulator`).
 */
import { BUILTIN, COMBINED, type AverageAccumulator, type BuiltinAggregate } from './aggregates.js';

/** A `combine`'s result objects: one property per part, in the order of its names. */
type ResultConstructor = new (of: AggregateColumns, columns: number[][], slot: number) => Record<string, number>;
/** The result constructors by list of names (AggregateColumns.#resultConstructor). */
const RESULTS = new Map<string, ResultConstructor>();

const COUNT = 0;
const SUM = 1;
const MIN = 2;
const MAX = 3;
/** The column kind of each built-in that folds into one column. */
const KIND_OF: Readonly<Record<string, number>> = { count: COUNT, sum: SUM, min: MIN, max: MAX };

/** The columns of the pane table for one aggregate function, when it is built from built-ins. */
export class AggregateColumns {
  /** How many number columns a pane keeps. */
  readonly width: number;
  /** Per column: what it folds (COUNT, SUM, MIN, MAX) and the number it takes from an element. */
  readonly #kinds: number[] = [];
  readonly #selects: ((value: unknown) => number)[] = [];
  /** Per part: its kind, and its first column (an average keeps a count and a sum column). */
  readonly #parts: BuiltinAggregate[];
  readonly #first: number[] = [];
  /** The result's property per part; null for a single built-in, whose result is a number. */
  readonly #names: readonly string[] | null;
  /** Builds a `combine`'s result object (see resultConstructor); null for a single built-in. */
  readonly #Result: ResultConstructor | null;

  private constructor(parts: BuiltinAggregate[], names: readonly string[] | null) {
    this.#parts = parts;
    this.#names = names;
    for (const part of parts) {
      this.#first.push(this.#kinds.length);
      const select = part.select as (value: unknown) => number;
      // An average keeps a count and a sum.
      for (const kind of part.kind === 'average' ? [COUNT, SUM] : [KIND_OF[part.kind]!]) {
        this.#kinds.push(kind);
        this.#selects.push(select);
      }
    }
    this.width = this.#kinds.length;
    this.#Result = names !== null ? AggregateColumns.#resultConstructor(names) : null;
  }

  /**
   * The constructor of the result objects of a `combine` with these names, one per list of names in
   * the process, so that every pipeline's results of that shape share one hidden class (the user's
   * reads of them stay monomorphic from pipeline to pipeline). A constructor function's hidden class
   * is sized to the properties its first objects received (slack tracking): a result holds exactly
   * one field per part (40 bytes for two), where an object literal filled by name reserves four (56
   * bytes). Its prototype is Object.prototype, so a result is a plain object to the user (keys, JSON,
   * equality).
   */
  static #resultConstructor(names: readonly string[]): ResultConstructor {
    const id = names.join('\u0000');
    const known = RESULTS.get(id);
    if (known !== undefined) return known;
    const n = names.length;
    const [n0, n1] = names;
    // A store site for each of the first two parts: a site that sees one property name stays monomorphic.
    function Result(this: Record<string, number>, of: AggregateColumns, columns: number[][], slot: number): void {
      if (n > 0) this[n0!] = of.#partResult(0, columns, slot);
      if (n > 1) this[n1!] = of.#partResult(1, columns, slot);
      for (let p = 2; p < n; p++) this[names[p]!] = of.#partResult(p, columns, slot);
    }
    Result.prototype = Object.prototype;
    RESULTS.set(id, Result as unknown as ResultConstructor);
    return Result as unknown as ResultConstructor;
  }

  /** The columns of `fn`, or null unless it is a built-in aggregate or a `combine` of built-ins only. */
  static of(fn: object): AggregateColumns | null {
    const single = BUILTIN.get(fn);
    if (single !== undefined) return new AggregateColumns([single], null);
    const combined = COMBINED.get(fn);
    if (combined === undefined) return null;
    const parts: BuiltinAggregate[] = [];
    for (const part of combined.parts) {
      const b = BUILTIN.get(part);
      if (b === undefined) return null;
      parts.push(b);
    }
    return new AggregateColumns(parts, combined.names);
  }

  /** Per pane: its empty columns. */
  create(): number[][] {
    const columns: number[][] = [];
    for (let c = 0; c < this.width; c++) columns.push([]);
    return columns;
  }

  /** Starts slot `slot` with `value`: the aggregate's `add(value, createAccumulator())`. */
  first(columns: number[][], slot: number, value: unknown): void {
    const kinds = this.#kinds;
    for (let c = 0; c < kinds.length; c++) {
      // The built-in's createAccumulator. A literal 0, not one read from a table with the infinities
      // (a double array): count and integer sum columns then stay small-integer arrays, and their
      // results are stored in the result objects without a heap number each.
      const kind = kinds[c]!;
      columns[c]![slot] = kind < MIN ? 0 : kind === MIN ? Infinity : -Infinity;
    }
    this.add(columns, slot, value);
  }

  /** Adds `value` to slot `slot`: the aggregate's `add`, in place. */
  add(columns: number[][], slot: number, value: unknown): void {
    const kinds = this.#kinds;
    for (let c = 0; c < kinds.length; c++) {
      const column = columns[c]!;
      switch (kinds[c]) {
        case COUNT:
          column[slot] = column[slot]! + 1;
          break;
        case SUM:
          column[slot] = column[slot]! + this.#selects[c]!(value);
          break;
        case MIN:
          column[slot] = Math.min(column[slot]!, this.#selects[c]!(value));
          break;
        default:
          column[slot] = Math.max(column[slot]!, this.#selects[c]!(value));
      }
    }
  }

  /** The window's result: the aggregate's `getResult` (a number, or an object by part name). */
  result(columns: number[][], slot: number): unknown {
    const Result = this.#Result;
    return Result === null ? this.#partResult(0, columns, slot) : new Result(this, columns, slot);
  }

  #partResult(p: number, columns: number[][], slot: number): number {
    const c = this.#first[p]!;
    const value = columns[c]![slot]!;
    return this.#parts[p]!.kind === 'average' ? columns[c + 1]![slot]! / value : value;
  }

  /** The accumulator the aggregate would hold for slot `slot` (for snapshots). */
  toAccumulator(columns: number[][], slot: number): unknown {
    const parts = this.#parts.map((part, p) => {
      const c = this.#first[p]!;
      return part.kind === 'average'
        ? ({ count: columns[c]![slot]!, sum: columns[c + 1]![slot]! } satisfies AverageAccumulator)
        : columns[c]![slot];
    });
    return this.#names === null ? parts[0] : parts;
  }

  /** Sets slot `slot` from an accumulator of the aggregate (a restored snapshot's). */
  fromAccumulator(acc: unknown, columns: number[][], slot: number): void {
    const parts = this.#names === null ? [acc] : (acc as unknown[]);
    this.#parts.forEach((part, p) => {
      const c = this.#first[p]!;
      if (part.kind !== 'average') {
        columns[c]![slot] = parts[p] as number;
        return;
      }
      const { count, sum } = parts[p] as AverageAccumulator;
      columns[c]![slot] = count;
      columns[c + 1]![slot] = sum;
    });
  }
}
