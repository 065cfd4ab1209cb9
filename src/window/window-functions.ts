/**
 * How a window's contents are kept and evaluated (Flink's window functions and internal window
 * state): an incremental accumulator for `aggregate` and `reduce`, or the list of elements for a
 * process function or an evictor, folded when the window fires.
 */
import type { WindowFunction } from './types.js';

/** An incremental window function, as one interface over `aggregate` and `reduce`. */
export interface Incremental {
  first(value: unknown): unknown;
  add(acc: unknown, value: unknown): unknown;
  merge(a: unknown, b: unknown): unknown;
  result(acc: unknown): unknown;
  /** The function it stands for (its accumulator's export: acc-export.ts). */
  readonly fn: WindowFunction<unknown, unknown, unknown>;
}

/**
 * The incremental form of `fn`, or null for a process function (which needs every element).
 *
 * @example
 * ```ts
 * // internal: incrementalOf({ kind: 'reduce', reduce: (a, b) => a + b })!.add(1, 2) === 3
 * ```
 */
export function incrementalOf(fn: WindowFunction<unknown, unknown, unknown>): Incremental | null {
  if (fn.kind === 'aggregate') {
    const agg = fn.aggregate;
    return {
      first: (v) => agg.add(v, agg.createAccumulator()),
      add: (acc, v) => agg.add(v, acc),
      merge: (a, b) => agg.merge(a, b),
      result: (acc) => agg.getResult(acc),
      fn,
    };
  }
  if (fn.kind === 'reduce') {
    const reduce = fn.reduce;
    return {
      first: (v) => v,
      add: (acc, v) => reduce(acc, v),
      merge: (a, b) => reduce(a, b),
      result: (acc) => acc,
      fn,
    };
  }
  return null;
}

/**
 * Evaluates `fn` over a window's kept elements at firing time (with an evictor, `reduce` and
 * `aggregate` run here instead of incrementally); a process function gets the elements as they are.
 *
 * @example
 * ```ts
 * // internal: fold({ kind: 'reduce', reduce: (a, b) => a + b }, [1, 2, 3]) === 6
 * ```
 */
export function fold(fn: WindowFunction<unknown, unknown, unknown>, values: unknown[]): unknown {
  if (fn.kind === 'reduce') {
    let acc = values[0];
    for (let i = 1; i < values.length; i++) acc = fn.reduce(acc, values[i]);
    return acc;
  }
  if (fn.kind === 'aggregate') {
    const agg = fn.aggregate;
    let acc = agg.createAccumulator();
    for (const v of values) acc = agg.add(v, acc);
    return agg.getResult(acc);
  }
  return values;
}
