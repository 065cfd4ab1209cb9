/**
 * The one export format of keyed state (docs/checkpoints.md §10): rows per key, grouped by key
 * group, full or incremental, after Flink's key-group-partitioned snapshots (HeapSnapshotStrategy
 * writes each key group as a section of its own, KeyGroupsStateHandle keeps each section's offset).
 *
 * An export is a small header (the layout of each state's rows: non-keyed, stored in full each
 * time) and keyed tables named `<keyGroup>/<rows>`: `7/state:count` holds the rows of state `count`
 * of the keys of key group 7, `7/timers:event-time` their event-time timers. A key group is thus a
 * set of tables of its own, which the codec stores as sections with their own offsets: a restore
 * of a range of key groups leaves the others out before decoding them.
 *
 * Incremental: a table is a `delta` of the keys whose rows changed since the last export (their
 * new rows, and the keys left without a row as deletes); every table of the previous export is
 * listed again, as an empty delta when nothing in it changed, as `applyDeltas` requires.
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { inKeyGroupRange, keyGroupOfTable, keyGroupTable, type KeyGroupRange } from '../core/state-snapshot.js';
import { keyGroupOf, keyId, type Key, type KeyPart } from '../core/keys.js';
import { defineOwn } from '../core/plain-data.js';
import { isObject } from './cells.js';
import { StateRestoreError } from './errors.js';
import { keyFromId } from './key-id.js';
import type { KeyedRowSource } from './row-source.js';
import type { KeyedStateExport, KeyedStateHeader, StateTableLayout } from './snapshot-types.js';
import { KEYED_STATE_FORMAT } from './snapshot-types.js';

/** One group of one kind of rows, as columns: `keys[i]` owns `rows[i]`. */
interface Rows {
  readonly keys: Key[];
  readonly rows: unknown[];
}

/** Rows restored for a state not declared yet (or rows of no attached source): exported again as they are. */
export interface PendingRows extends Rows {
  readonly layout: StateTableLayout | undefined;
  /** Whether an export listed them since the restore (later exports are then empty deltas). */
  exported: boolean;
}

/** A part of the export: rows of a source, and the layout that decides if a delta may follow. */
export interface ExportPart {
  readonly source: KeyedRowSource;
  /** False when the layout changed since the last export: the part is then exported in full. */
  readonly sameLayout: boolean;
}

/**
 * The export bookkeeping of one backend: which key groups each kind of rows was exported with.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const exporter = new KeyedExporter(128);
 * const tables = exporter.export(parts, true); // { '7/state:count': { kind: 'delta', ... }, ... }
 * ```
 */
export class KeyedExporter {
  /** The key groups each kind of rows was listed with in the last export. */
  readonly #listed = new Map<string, Set<number>>();
  readonly #maxParallelism: number;
  readonly #groupOf: ((id: KeyPart) => number) | undefined;

  /** `groupOf`: the key group of a key id when it is not `keyGroupOf(key, maxParallelism)` (the one keyBy gave it). */
  constructor(maxParallelism: number, groupOf?: (id: KeyPart) => number) {
    this.#maxParallelism = maxParallelism;
    this.#groupOf = groupOf;
  }

  /** The key group of a key id. */
  groupOf(id: KeyPart): number {
    return this.#groupOf !== undefined ? this.#groupOf(id) : keyGroupOf(keyFromId(id), this.#maxParallelism);
  }

  /** Forgets what was exported: the next export is full (after a restore). */
  reset(): void {
    this.#listed.clear();
  }

  /** The keyed tables of `parts`, in key-group order; deltas where `incremental` allows. */
  export(parts: readonly ExportPart[], incremental: boolean): Record<string, KeyedTableSnapshot> {
    const out: [number, string, KeyedTableSnapshot][] = [];
    for (const { source, sameLayout } of parts) {
      const listed = this.#listed.get(source.name);
      const changed = source.takeChanged();
      if (incremental && sameLayout && changed !== undefined && listed !== undefined)
        this.#delta(source, changed, listed, out);
      else this.#full(source, out);
      source.takeChanged(); // what the export itself changed (expired entries it removed) is in it
    }
    out.sort((a, b) => a[0] - b[0]);
    const tables: Record<string, KeyedTableSnapshot> = {};
    for (const [group, name, table] of out) defineOwn(tables, keyGroupTable(group, name), table);
    return tables;
  }

  #full(source: KeyedRowSource, out: [number, string, KeyedTableSnapshot][]): void {
    // Buckets by key group in an array: a Map lookup per key costs more than the rest of the row.
    const groups: (Rows | undefined)[] = new Array(this.#maxParallelism);
    const maxParallelism = this.#maxParallelism;
    const groupOf = this.#groupOf;
    source.forEachRow((id, row, carried) => {
      const key = keyFromId(id);
      // A key group the row carries is the one keyBy gave (a window's timers, its window set): the
      // one `groupOf` would look up per row, a map lookup a million times (windowAll's -1 is 0).
      const group =
        groupOf === undefined
          ? keyGroupOf(key, maxParallelism)
          : carried !== undefined
            ? Math.max(carried, 0)
            : groupOf(id);
      groups[group] ??= { keys: [], rows: [] };
      const g = groups[group];
      g.keys.push(key);
      g.rows.push(row);
    });
    const listed = new Set<number>();
    for (let group = 0; group < groups.length; group++) {
      const g = groups[group];
      if (g === undefined) continue;
      out.push([group, source.name, { kind: 'full', keys: g.keys, values: g.rows }]);
      listed.add(group);
    }
    this.#listed.set(source.name, listed);
  }

  #delta(
    source: KeyedRowSource,
    changed: Iterable<KeyPart>,
    listed: Set<number>,
    out: [number, string, KeyedTableSnapshot][],
  ): void {
    const groups = new Map<number, { keys: Key[]; values: unknown[]; deletes: Key[] }>();
    for (const id of changed) {
      const group = this.groupOf(id);
      let g = groups.get(group);
      if (g === undefined) {
        g = { keys: [], values: [], deletes: [] };
        groups.set(group, g);
      }
      const row = source.rowOf(id);
      if (row === undefined) g.deletes.push(keyFromId(id));
      else {
        g.keys.push(keyFromId(id));
        g.values.push(row);
      }
    }
    for (const group of listed)
      if (!groups.has(group)) out.push([group, source.name, { kind: 'delta', keys: [], values: [], deletes: [] }]);
    for (const [group, g] of groups) {
      out.push([group, source.name, { kind: 'delta', ...g }]);
      listed.add(group);
    }
  }
}

/** Rows exported again as they were restored: full once, then empty deltas. */
export function pendingSource(name: string, pending: PendingRows): KeyedRowSource {
  return {
    name,
    forEachRow(emit) {
      // Exported again by key id, as every source: the export regroups them.
      for (let i = 0; i < pending.keys.length; i++) emit(keyId(pending.keys[i]!), pending.rows[i]);
    },
    takeChanged() {
      const first = !pending.exported;
      pending.exported = true;
      return first ? undefined : [];
    },
    rowOf: () => undefined,
    load: () => {},
  };
}

/** A keyed table of a full export, by key group and name of rows (`keyGroupTables`). */
export interface GroupTable {
  readonly keyGroup: number;
  /** The name of its rows: the table's name after `<keyGroup>/`. */
  readonly name: string;
  readonly keys: readonly Key[];
  readonly rows: readonly unknown[];
}

/**
 * The tables of a full export (format 3, after migration) of the key groups in `range` only, in
 * key-group order (then in the export's order): the tables of other groups are not read. Throws
 * `StateRestoreError` naming `uid` on a malformed export.
 *
 * @example
 * ```ts
 * // internal: keyGroupTables({ header, tables: { '7/windows': { kind: 'full', keys: ['a'], values: [1] } } }, { start: 0, end: 63 }, 'w');
 * // gives [{ keyGroup: 7, name: 'windows', keys: ['a'], rows: [1] }]
 * ```
 */
export function keyGroupTables(
  data: KeyedStateExport,
  range: KeyGroupRange | undefined,
  uid: string | undefined,
): GroupTable[] {
  const fail = (reason: string): never => {
    throw new StateRestoreError(uid, reason);
  };
  if (
    !isObject(data) ||
    !isObject(data.header) ||
    data.header.format !== KEYED_STATE_FORMAT ||
    !isObject(data.tables)
  ) {
    fail(`keyed state must be { header: { format: ${KEYED_STATE_FORMAT}, states }, tables }`);
  }
  const header: KeyedStateHeader = data.header;
  if (!isObject(header.states)) fail('keyed state header: states must be an object of layouts');
  const names = Object.keys(data.tables);
  const groupOf = new Map<string, number>();
  for (const table of names) {
    const group = keyGroupOfTable(table);
    if (group === undefined) fail(`keyed table ${JSON.stringify(table)} is not named <keyGroup>/<rows>`);
    groupOf.set(table, group!);
  }
  // Key-group order, so that a restore at another parallelism reads the same order of keys.
  names.sort((a, b) => groupOf.get(a)! - groupOf.get(b)!);
  const out: GroupTable[] = [];
  for (const table of names) {
    const keyGroup = groupOf.get(table)!;
    if (!inKeyGroupRange(keyGroup, range)) continue;
    const t = data.tables[table] as Partial<Extract<KeyedTableSnapshot, { kind: 'full' }>> | undefined;
    if (
      !isObject(t) ||
      t.kind !== 'full' ||
      !Array.isArray(t.keys) ||
      !Array.isArray(t.values) ||
      t.keys.length !== t.values.length
    ) {
      fail(`keyed table ${JSON.stringify(table)}: expected a full table of keys and rows of equal length`);
    }
    out.push({ keyGroup, name: table.slice(table.indexOf('/') + 1), keys: t!.keys!, rows: t!.values! });
  }
  return out;
}

/**
 * The rows of a full export (format 3, after migration) by kind of rows, of the key groups in
 * `range` only, in key-group order (`keyGroupTables`).
 */
export function rowsByName(
  data: KeyedStateExport,
  range: KeyGroupRange | undefined,
  uid: string | undefined,
): Map<string, Rows> {
  const parts = new Map<string, { keys: (readonly Key[])[]; rows: (readonly unknown[])[] }>();
  for (const { name, keys, rows } of keyGroupTables(data, range, uid)) {
    let p = parts.get(name);
    if (p === undefined) {
      p = { keys: [], rows: [] };
      parts.set(name, p);
    }
    p.keys.push(keys);
    p.rows.push(rows);
  }
  const byName = new Map<string, Rows>();
  for (const [name, p] of parts)
    byName.set(name, { keys: ([] as Key[]).concat(...p.keys), rows: ([] as unknown[]).concat(...p.rows) });
  return byName;
}
