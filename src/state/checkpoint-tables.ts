/**
 * Keyed state as checkpoint tables: one row per key (see `StateTableLayout`), in full or as the
 * keys changed since the last export, converted from and to the segments format.
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type { StateKind } from './descriptors.js';
import { StateRestoreError } from './errors.js';
import { keyFromId } from './key-id.js';
import { checkSerializable } from './serializable.js';
import { exportCell, isObject } from './snapshot-format.js';
import type { StateSegmentSnapshot, StateTableLayout, StateTableSnapshot } from './snapshot-types.js';
import type { Table } from './table.js';
import type { Namespace } from './state-types.js';

/** The rows of the keys changed since the last export (`table.changed`). */
export function deltaRows(table: Table, layout: StateTableLayout, uid: string | undefined): KeyedTableSnapshot {
  const ttl = table.ttl;
  const clean = ttl?.cleanupOnSnapshot === true;
  const now = table.scope.now();
  const keys: Key[] = [];
  const values: unknown[] = [];
  const deletes: Key[] = [];
  const segments = table.segments();
  // Purging expired entries below records changes again; they are in this delta, so take a copy.
  for (const id of [...table.changed!]) {
    let row: unknown[] | undefined;
    let single: unknown;
    for (const [ns, map] of segments) {
      const stored = map.get(id);
      const cell = clean && stored !== undefined ? table.purged(map, id, stored, now) : stored;
      if (cell === undefined) continue;
      const encoded = encodeCell(table.kind, cell, layout.ttl);
      // Primitives are plain data: the location of an error is built only for what may be one.
      if (typeof encoded === 'object' || typeof encoded === 'function' || typeof encoded === 'symbol') {
        checkSerializable(encoded, { uid: uid, state: table.name, key: keyFromId(id) });
      }
      if (!layout.namespaced) single = encoded;
      else {
        row ??= [];
        row.push(ns ?? null, encoded);
      }
    }
    const key = keyFromId(id);
    const value = layout.namespaced ? row : single;
    if (value === undefined) deletes.push(key);
    else {
      keys.push(key);
      values.push(value);
    }
  }
  return { kind: 'delta', keys, values, deletes };
}

// ---------------------------------------------------------------------------------------------
// Checkpoint tables: rows per key (see StateTableLayout), converted from and to the segments of
// `StateTableSnapshot`, which `snapshot()` / `restore()` and pending tables use.

/** One cell as a checkpoint row encodes it. */
export function encodeCell(kind: StateKind, cell: unknown, ttl: boolean): unknown {
  if (!ttl && kind !== 'list' && kind !== 'map') return cell; // the common case, without a tuple per key
  const [value, stamps] = exportCell(kind, cell, ttl);
  return ttl ? [value, stamps] : value;
}

/** The layout that rows of `data` get when it is exported as it is (a pending table). */
export function layoutOf(data: StateTableSnapshot): StateTableLayout {
  return {
    kind: data.kind,
    ttl: data.segments.some((s) => s.ts !== undefined && s.keys.length > 0),
    namespaced: data.segments.some((s) => s.ns !== undefined),
  };
}

/** A full table of rows from segments (each key once per segment). */
export function rowsOf(data: StateTableSnapshot, layout: StateTableLayout): KeyedTableSnapshot {
  const cellOf = (segment: StateSegmentSnapshot, i: number): unknown => {
    if (!layout.ttl) return segment.values[i];
    // A table without stamps exported with a TTL layout (never the case for one table) gets none.
    return [segment.values[i], segment.ts?.[i] ?? (data.kind === 'list' || data.kind === 'map' ? [] : 0)];
  };
  if (!layout.namespaced) {
    const segment = data.segments[0];
    if (segment === undefined) return { kind: 'full', keys: [], values: [] };
    // Without TTL the segment's columns are the rows already: a million counts are not copied.
    if (!layout.ttl) return { kind: 'full', keys: segment.keys, values: segment.values };
    const values = new Array<unknown>(segment.keys.length);
    for (let i = 0; i < values.length; i++) values[i] = cellOf(segment, i);
    return { kind: 'full', keys: segment.keys, values };
  }
  const rows = new Map<KeyPart, [Key, unknown[]]>();
  for (const segment of data.segments) {
    for (let i = 0; i < segment.keys.length; i++) {
      const key = segment.keys[i]!;
      const id = keyId(key);
      let row = rows.get(id);
      if (row === undefined) {
        row = [key, []];
        rows.set(id, row);
      }
      row[1].push(segment.ns ?? null, cellOf(segment, i));
    }
  }
  const keys: Key[] = [];
  const values: unknown[] = [];
  for (const [key, row] of rows.values()) {
    keys.push(key);
    values.push(row);
  }
  return { kind: 'full', keys, values };
}

/** Segments from a full table of rows; the shape of each row is checked against `layout`. */
export function segmentsOf(uid: string | undefined, name: string, table: { keys: readonly Key[]; values: readonly unknown[] }, layout: StateTableLayout): StateTableSnapshot {
  const fail = (i: number, reason: string): never => {
    throw new StateRestoreError(uid, `state ${JSON.stringify(name)}: the row of key ${JSON.stringify(String(table.keys[i]))} ${reason}`);
  };
  interface Columns { ns?: Namespace; keys: Key[]; values: unknown[]; ts?: (number | readonly number[])[] }
  const columns = new Map<Namespace | null, Columns>();
  const columnsOf = (ns: Namespace | null): Columns => {
    let c = columns.get(ns);
    if (c === undefined) {
      c = ns === null ? { keys: [], values: [] } : { ns, keys: [], values: [] };
      if (layout.ttl) c.ts = [];
      columns.set(ns, c);
    }
    return c;
  };
  const add = (c: Columns, i: number, cell: unknown): void => {
    c.keys.push(table.keys[i]!);
    if (!layout.ttl) {
      c.values.push(cell);
      return;
    }
    if (!Array.isArray(cell) || cell.length !== 2) fail(i, 'needs [value, stamps] cells (ttl layout)');
    c.values.push((cell as unknown[])[0]);
    c.ts!.push((cell as [unknown, number | number[]])[1]);
  };
  if (!layout.namespaced && !layout.ttl) {
    return { kind: layout.kind, segments: [{ keys: table.keys, values: table.values }] };
  }
  columnsOf(null);
  for (let i = 0; i < table.keys.length; i++) {
    const row = table.values[i];
    if (!layout.namespaced) {
      add(columnsOf(null), i, row);
      continue;
    }
    if (!Array.isArray(row) || row.length % 2 !== 0) fail(i, 'must be [namespace, cell, ...] (namespaced layout)');
    const cells = row as unknown[];
    for (let j = 0; j < cells.length; j += 2) {
      const ns = cells[j];
      if (ns !== null && typeof ns !== 'string' && typeof ns !== 'number') fail(i, `has namespace ${String(ns)}`);
      add(columnsOf(ns as Namespace | null), i, cells[j + 1]);
    }
  }
  return { kind: layout.kind, segments: [...columns.values()] };
}

/** Whether `value` is a `StateTableLayout`. */
export function isLayout(value: unknown): value is StateTableLayout {
  return isObject(value) && typeof value.kind === 'string' && typeof value.ttl === 'boolean' && typeof value.namespaced === 'boolean';
}
