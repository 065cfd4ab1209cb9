/**
 * How a window's accumulator leaves it for an export (checkpoints, the queryable view) and comes
 * back: the aggregate's `exportAccumulator`/`importAccumulator`, else a plain copy, and a reduce's
 * value as a plain copy; a process function's elements are exported beside it (null here). Apart
 * from the window functions (window-functions.ts), so that a window without checkpoints or a
 * queryable view leaves the copying code (`clonePlain`, state/serializable.ts) out of its bundle.
 */
import { clonePlain, exportAccumulator, importAccumulator, type WindowAggregateFunction } from './aggregates.js';
import type { Incremental } from './window-functions.js';

/** An accumulator's export and import. */
export interface AccExport {
  exportAcc(acc: unknown): unknown;
  importAcc(data: unknown): unknown;
}

/** A window that keeps its elements has no accumulator to export. */
const ELEMENTS_EXPORT: AccExport = { exportAcc: () => null, importAcc: (data) => data };

/**
 * The accumulator export of the incremental function `inc` (null: the window keeps elements).
 *
 * @example
 * ```ts
 * // internal: accExportOf(setup.incremental).exportAcc(acc) // plain data, a copy
 * ```
 */
export function accExportOf(inc: Incremental | null): AccExport {
  if (inc === null) return ELEMENTS_EXPORT;
  const fn = inc.fn;
  if (fn.kind === 'aggregate') {
    const agg = fn.aggregate as WindowAggregateFunction<never, unknown, unknown>;
    return { exportAcc: (acc) => exportAccumulator(agg, acc), importAcc: (d) => importAccumulator(agg, d) };
  }
  return { exportAcc: (acc) => clonePlain(acc, 'reduce value'), importAcc: (d) => clonePlain(d, 'reduce value') };
}
