/**
 * The built-in aggregates (count, sum, min, max, average) as the pane table folds them: each one's
 * kind, the number it takes from an element, and the folds of its number columns, registered by
 * function object (aggregates.ts makes them, aggregate-columns.ts reads them).
 */
/** Which built-in a part is, for the pane table's columns (aggregate-columns.ts). */
export type BuiltinKind = 'count' | 'sum' | 'min' | 'max' | 'average';

/** A built-in aggregate as the pane table folds it: its kind and the number it takes from each element. */
export interface BuiltinAggregate {
  readonly kind: BuiltinKind;
  readonly select: (value: never) => number;
  /** How the pane table folds it, one entry per number column (aggregate-columns.ts). */
  readonly columns: readonly ColumnFolds[];
}

/** How a pane table's number column takes an element at a slot: as its window's first (`open`), or one more (`fold`). */
export type Fold = (column: number[], slot: number, value: unknown) => void;

/**
 * Makes the `open` and `fold` of one number column for `select`: the built-in's `add` on its
 * createAccumulator() value, and on the slot's. Each built-in brings its own (a count, a sum column:
 * an average keeps both), so a bundle folds only the kinds it uses. A literal start (1, `0 + x`),
 * not one read from a table with the infinities (a double array): count and integer sum columns then
 * stay small-integer arrays, and their results are stored in the result objects without a heap
 * number each. Called once per pane table: see AggregateColumns.
 */
export type ColumnFolds = (select: (value: unknown) => number) => [Fold, Fold];

export const countColumn: ColumnFolds = () => [(c, s) => (c[s] = 1), (c, s) => (c[s] = c[s]! + 1)];
export const sumColumn: ColumnFolds = (select) => [
  (c, s, v) => (c[s] = 0 + select(v)),
  (c, s, v) => (c[s] = c[s]! + select(v)),
];

/**
 * The built-in aggregates, by function object: `combine` copies a prepared first accumulator for
 * those that start from a constant, and the pane table folds them into number columns without a
 * call per element (aggregate-columns.ts).
 */
export const BUILTIN = new WeakMap<object, BuiltinAggregate>();

export function builtin<F extends object>(
  fn: F,
  kind: BuiltinKind,
  select: (value: never) => number,
  columns: readonly ColumnFolds[],
): F {
  BUILTIN.set(fn, { kind, select, columns });
  return fn;
}
