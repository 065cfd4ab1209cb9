/**
 * The built-in aggregates (count, sum, min, max, average, and a `combine` of them) as the pane table
 * folds them: each window's accumulator is a slot in a few number columns of its pane, one column
 * per number, as the hand-written loop of bench/pipeline-baselines.ts keeps them, instead of an
 * accumulator object per window and a call through the aggregate per element. The columns hold
 * plain numbers, nothing per window for the collector to trace or copy, and the arithmetic is the
 * aggregates' own (`acc + 1`, `acc + select(v)`, `Math.min`, `Math.max`), so results are the same.
 *
 * Snapshots see no difference: a slot is exported as the accumulator the aggregate would hold
 * (`toAccumulator`) and restored from one (`fromAccumulator`), in column-accumulators.ts.
 */
import { COMBINED } from './aggregates.js';
import { BUILTIN, type BuiltinAggregate, type Fold } from './builtin-aggregates.js';
import type { ResultConstructor } from './combined-results.js';

/** The columns of the pane table for one aggregate function, when it is built from built-ins. */
export class AggregateColumns {
  /** How many number columns a pane keeps. */
  declare readonly width: number;
  /**
   * Per column, a closure made once (its built-in's `ColumnFolds`): each call site of `first` and `add` then sees one
   * function per pipeline, which TurboFan inlines. A switch over the kinds in one loop ran the
   * sparse pipeline bench 7-12% slower end to end.
   */
  readonly #open: Fold[] = [];
  readonly #fold: Fold[] = [];
  /** Per part: its kind, and its first column (an average keeps a count and a sum column). */
  declare readonly parts: BuiltinAggregate[];
  readonly starts: number[] = [];
  /** The result's property per part; null for a single built-in, whose result is a number. */
  declare readonly names: readonly string[] | null;
  /** Builds a `combine`'s result object (combined-results.ts, which `combine` brings); null for a single built-in. */
  readonly #Result: ResultConstructor | null;

  private constructor(parts: BuiltinAggregate[], names: readonly string[] | null, Result: ResultConstructor | null) {
    this.parts = parts;
    this.names = names;
    for (const part of parts) {
      this.starts.push(this.#open.length);
      // An average keeps a count and a sum.
      for (const column of part.columns) {
        const [open, fold] = column(part.select as (value: unknown) => number);
        this.#open.push(open);
        this.#fold.push(fold);
      }
    }
    this.width = this.#open.length;
    this.#Result = Result;
  }

  /** The columns of `fn`, or null unless it is a built-in aggregate or a `combine` of built-ins only. */
  static of(fn: object): AggregateColumns | null {
    const single = BUILTIN.get(fn);
    if (single !== undefined) return new AggregateColumns([single], null, null);
    const combined = COMBINED.get(fn);
    if (combined === undefined) return null;
    const parts: BuiltinAggregate[] = [];
    for (const part of combined.parts) {
      const b = BUILTIN.get(part);
      if (b === undefined) return null;
      parts.push(b);
    }
    return new AggregateColumns(parts, combined.names, combined.results(combined.names));
  }

  /** Per pane: its empty columns. */
  create(): number[][] {
    const columns: number[][] = [];
    for (let c = 0; c < this.width; c++) columns.push([]);
    return columns;
  }

  /** Starts slot `slot` with `value`: the aggregate's `add(value, createAccumulator())`. */
  first(columns: number[][], slot: number, value: unknown): void {
    // The first two columns' calls apart: each call site sees one closure, and with one or two
    // columns (count, sum, a combine of two) the compiled chain has no loop here to peel.
    const open = this.#open;
    open[0]!(columns[0]!, slot, value);
    if (open.length > 1) {
      open[1]!(columns[1]!, slot, value);
      for (let c = 2; c < open.length; c++) open[c]!(columns[c]!, slot, value);
    }
  }

  /** Adds `value` to slot `slot`: the aggregate's `add`, in place. */
  add(columns: number[][], slot: number, value: unknown): void {
    const fold = this.#fold;
    fold[0]!(columns[0]!, slot, value);
    if (fold.length > 1) {
      fold[1]!(columns[1]!, slot, value);
      for (let c = 2; c < fold.length; c++) fold[c]!(columns[c]!, slot, value);
    }
  }

  /** The window's result: the aggregate's `getResult` (a number, or an object by part name). */
  result(columns: number[][], slot: number): unknown {
    const Result = this.#Result;
    return Result === null ? this.partResult(0, columns, slot) : new Result(this, columns, slot);
  }

  /** Part `p` of slot `slot`'s result. */
  partResult(p: number, columns: number[][], slot: number): number {
    const c = this.starts[p]!;
    const value = columns[c]![slot]!;
    return this.parts[p]!.kind === 'average' ? columns[c + 1]![slot]! / value : value;
  }
}
