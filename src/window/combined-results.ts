/**
 * The result objects of a `combine` of built-in aggregates as the pane table's columns build them
 * (aggregate-columns.ts). `combine` brings this file (its `COMBINED` entry), so that a window of a
 * single built-in (`count()`) leaves it out of its bundle.
 */
/** What a result object reads its parts from: the pane's columns (aggregate-columns.ts `AggregateColumns`). */
export interface PartResults {
  partResult(p: number, columns: number[][], slot: number): number;
}

/** A `combine`'s result objects: one property per part, in the order of its names. */
export type ResultConstructor = new (of: PartResults, columns: number[][], slot: number) => Record<string, number>;

/** The result constructors by list of names. */
const RESULTS = new Map<string, ResultConstructor>();

/**
 * The constructor of the result objects of a `combine` with these names, one per list of names in
 * the process, so that every pipeline's results of that shape share one hidden class (the user's
 * reads of them stay monomorphic from pipeline to pipeline). A constructor function's hidden class
 * is sized to the properties its first objects received (slack tracking): a result holds exactly
 * one field per part (40 bytes for two), where an object literal filled by name reserves four (56
 * bytes). Its prototype is Object.prototype, so a result is a plain object to the user (keys, JSON,
 * equality).
 *
 * @example
 * ```ts
 * // internal: new (combinedResults(['n', 'avg']))(columns, paneColumns, slot) // { n: 3, avg: 2.5 }
 * ```
 */
export function combinedResults(names: readonly string[]): ResultConstructor {
  const id = names.join('\u0000');
  const known = RESULTS.get(id);
  if (known !== undefined) return known;
  const n = names.length;
  const [n0, n1] = names;
  // A store site for each of the first two parts: a site that sees one property name stays monomorphic.
  function Result(this: Record<string, number>, of: PartResults, columns: number[][], slot: number): void {
    if (n > 0) this[n0!] = of.partResult(0, columns, slot);
    if (n > 1) this[n1!] = of.partResult(1, columns, slot);
    for (let p = 2; p < n; p++) this[names[p]!] = of.partResult(p, columns, slot);
  }
  Result.prototype = Object.prototype;
  RESULTS.set(id, Result as unknown as ResultConstructor);
  return Result as unknown as ResultConstructor;
}
