/**
 * A pane column slot as the accumulator its aggregate would hold, and back (aggregate-columns.ts):
 * what exports and restores read and write. Apart from the columns, so that a window without
 * checkpoints or a queryable view leaves it out of its bundle.
 */
import type { AggregateColumns } from './aggregate-columns.js';
import type { AverageAccumulator } from './aggregates.js';

/**
 * The accumulator the aggregate of `of` would hold for slot `slot` of a pane's `columns`.
 *
 * @example
 * ```ts
 * // internal: toAccumulator(columnsOf(count()), [[3]], 0) === 3
 * ```
 */
export function toAccumulator(of: AggregateColumns, columns: number[][], slot: number): unknown {
  const parts = of.parts.map((part, p) => {
    const c = of.starts[p]!;
    return part.kind === 'average'
      ? ({ count: columns[c]![slot]!, sum: columns[c + 1]![slot]! } satisfies AverageAccumulator)
      : columns[c]![slot];
  });
  return of.names === null ? parts[0] : parts;
}

/**
 * Sets slot `slot` of a pane's `columns` from an accumulator of the aggregate of `of` (a restored
 * snapshot's).
 *
 * @example
 * ```ts
 * // internal: fromAccumulator(columnsOf(count()), 3, columns, slot)
 * ```
 */
export function fromAccumulator(of: AggregateColumns, acc: unknown, columns: number[][], slot: number): void {
  const parts = of.names === null ? [acc] : (acc as unknown[]);
  of.parts.forEach((part, p) => {
    const c = of.starts[p]!;
    if (part.kind !== 'average') {
      columns[c]![slot] = parts[p] as number;
      return;
    }
    const { count, sum } = parts[p] as AverageAccumulator;
    columns[c]![slot] = count;
    columns[c + 1]![slot] = sum;
  });
}
