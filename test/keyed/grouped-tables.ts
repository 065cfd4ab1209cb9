// Reading the key-grouped export in tests: the tables of one kind of rows across key groups.
import { keyGroupOfTable, type KeyedTableSnapshot } from '../../src/core/state-snapshot.js';

/** The tables `<keyGroup>/<name>` of `keyed` merged: their kinds, keys, rows and deletes, in key-group order. */
export function merged(keyed: Readonly<Record<string, KeyedTableSnapshot>>, name: string) {
  const kinds = new Set<string>();
  const keys: unknown[] = [];
  const values: unknown[] = [];
  const deletes: unknown[] = [];
  const groups: number[] = [];
  for (const [table, t] of Object.entries(keyed)) {
    if (table.slice(table.indexOf('/') + 1) !== name) continue;
    groups.push(keyGroupOfTable(table)!);
    kinds.add(t.kind);
    keys.push(...t.keys);
    values.push(...t.values);
    if (t.kind === 'delta') deletes.push(...t.deletes);
  }
  return { kinds: [...kinds], keys, values, deletes, groups };
}
