/**
 * Reads and clears of one key's entries in one namespace across every table of a
 * `KeyedStateBackend` (windows keep a namespace per window: docs/architecture.md §2), and the
 * read-only walk over a state's values that queryable views use. Kept beside backend.ts, which
 * only delegates to them.
 */
import type { Key, KeyPart } from '../core/keys.js';
import { keyFromId } from './key-id.js';
import type { Namespace } from './state-types.js';
import type { Table } from './table.js';

/**
 * Deletes key `id`'s entry of every table in `namespace`.
 *
 * @example
 * ```ts
 * // internal: clearKeyIn(tables.values(), scope.keyId, window.start); // a purged window of the current key
 * ```
 */
export function clearKeyIn(tables: Iterable<Table>, id: KeyPart | undefined, namespace: Namespace): void {
  if (id === undefined) return;
  for (const table of tables) {
    const map = table.namespaces?.get(namespace);
    if (map !== undefined) table.delete(id, map);
  }
}

/**
 * Whether key `id` holds an entry of any table in `namespace`.
 *
 * @example
 * ```ts
 * // internal: if (!hasKeyIn(tables.values(), scope.keyId, ns)) retire(window);
 * ```
 */
export function hasKeyIn(tables: Iterable<Table>, id: KeyPart | undefined, namespace: Namespace): boolean {
  if (id === undefined) return false;
  for (const table of tables) if (table.namespaces?.get(namespace)?.has(id) === true) return true;
  return false;
}

/**
 * Key `id`'s entries in `namespace`, as [state name, raw cell] in table order.
 *
 * @example
 * ```ts
 * // internal: for (const [name, cell] of cellsOfKeyIn(tables.values(), scope.keyId, ns)) copy(name, cell);
 * ```
 */
export function cellsOfKeyIn(
  tables: Iterable<Table>,
  id: KeyPart | undefined,
  namespace: Namespace,
): [string, unknown][] {
  const cells: [string, unknown][] = [];
  if (id === undefined) return cells;
  for (const table of tables) {
    const map = table.namespaces?.get(namespace);
    if (map?.has(id)) cells.push([table.name, map.get(id)]);
  }
  return cells;
}

/**
 * Every key's value in the default namespace of `table` (with TTL: the value, expired or not),
 * without touching what incremental checkpoints record as changed.
 *
 * @example
 * ```ts
 * // internal: for (const [key, value] of valuesOf(tables.get('seen'))) console.log(key, value);
 * ```
 */
export function* valuesOf(table: Table | undefined): Generator<[Key, unknown]> {
  if (table === undefined) return;
  for (const [ns, map] of table.segments()) {
    if (ns !== undefined) continue; // window-scoped state is not the key's current state
    for (const [id, cell] of map)
      yield [keyFromId(id), table.ttl === undefined ? cell : (cell as { readonly v: unknown }).v];
  }
}
