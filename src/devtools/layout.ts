import type { JobEdge } from '../core/metrics/types.js';

/** Where an operator sits in the drawn job graph: its column (depth from the sources) and row. */
export interface GraphPosition {
  readonly column: number;
  readonly row: number;
}

/** The layout of a job graph: a position per operator id, and the grid's size. */
export interface GraphLayout {
  readonly positions: ReadonlyMap<string, GraphPosition>;
  readonly columns: number;
  readonly rows: number;
}

/**
 * Lays a job graph out left to right, as Flink's Web UI does: an operator's column is the longest
 * path to it from a source, so both inputs of a merge sit left of it; rows keep the order of `ids`
 * within a column. Operators may join in any order (an input of a merge can subscribe after the
 * merge's downstream), so columns are relaxed until they settle; a cycle, which a job graph cannot
 * have, would stop after `ids.length` rounds instead of looping.
 *
 * @example
 * ```ts
 * const { positions } = layoutGraph(['a', 'b', 'm'], [{ from: 'a', to: 'm' }, { from: 'b', to: 'm' }]);
 * positions.get('m'); // { column: 1, row: 0 }
 * ```
 */
export function layoutGraph(ids: readonly string[], edges: readonly JobEdge[]): GraphLayout {
  const column = new Map(ids.map((id) => [id, 0]));
  const known = edges.filter((e) => column.has(e.from) && column.has(e.to) && e.from !== e.to);
  for (let round = 0, changed = true; changed && round < ids.length; round++) {
    changed = false;
    for (const e of known) {
      const next = column.get(e.from)! + 1;
      if (next > column.get(e.to)!) {
        column.set(e.to, next);
        changed = true;
      }
    }
  }
  const rowsUsed = new Map<number, number>();
  const positions = new Map<string, GraphPosition>();
  for (const id of ids) {
    const c = column.get(id)!;
    const row = rowsUsed.get(c) ?? 0;
    rowsUsed.set(c, row + 1);
    positions.set(id, { column: c, row });
  }
  return {
    positions,
    columns: ids.length === 0 ? 0 : Math.max(...column.values()) + 1,
    rows: Math.max(0, ...rowsUsed.values()),
  };
}
