/**
 * A state table (table.ts) as rows per key, the key-grouped export's unit (keyed-export.ts): the
 * row of a key is everything the key holds in that state, so that an incremental export can
 * replace it whole. Its encoding is the table's `StateTableLayout`.
 */
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import { encodeCell, importCell } from './cells.js';
import { StateDescriptorError, StateRestoreError } from './errors.js';
import { keyFromId } from './key-id.js';
import type { KeyedRowSource } from './row-source.js';
import { checkSerializable } from './serializable.js';
import type { StateTableLayout } from './snapshot-types.js';
import type { PendingRows } from './keyed-export.js';
import type { Namespace } from './state-types.js';
import type { SegmentMap, Table } from './table.js';
import type { TtlCell } from './ttl-cleanup.js';

/**
 * The rows of `table` in `layout` (its current one). Expired entries of a state with
 * `cleanupOnSnapshot` are removed as they are read (from memory too); a value that is not plain
 * data is a `StateNotSerializableError` naming `uid`, the state and the key.
 */
export function tableRows(table: Table, layout: StateTableLayout, uid: string | undefined): KeyedRowSource {
  const clean = table.ttl?.cleanupOnSnapshot;
  const now = table.scope.now();
  const serializer = table.serializer;
  const encode = (map: SegmentMap, id: KeyPart, stored: unknown): unknown => {
    let cell = clean ? table.purged(map, id, stored, now) : stored;
    if (cell === undefined) return undefined;
    if (serializer !== undefined) cell = serialized(cell, table.ttl !== undefined, serializer.toPlain);
    const encoded = encodeCell(table.kind, cell, layout.ttl);
    // Primitives are plain data: the location of an error is built only for what may not be.
    if (typeof encoded === 'object' || typeof encoded === 'function' || typeof encoded === 'symbol') {
      checkSerializable(encoded, { uid, state: table.name, key: keyFromId(id) });
    }
    return encoded;
  };
  const rowOf = (id: KeyPart): unknown => {
    if (!layout.namespaced) {
      const stored = table.main.get(id);
      return stored === undefined ? undefined : encode(table.main, id, stored);
    }
    let row: unknown[] | undefined;
    for (const [ns, map] of table.segments()) {
      const stored = map.get(id);
      const encoded = stored === undefined ? undefined : encode(map, id, stored);
      if (encoded !== undefined) {
        row ??= [];
        row.push(ns ?? null, encoded);
      }
    }
    return row;
  };
  return {
    name: stateRows(table.name),
    forEachRow(emit) {
      if (!layout.namespaced) {
        const map = table.main;
        // Purging deletes from the map being read: read a copy when it may.
        for (const [id, stored] of clean ? [...map] : map) {
          const row = encode(map, id, stored);
          if (row !== undefined) emit(id, row);
        }
        return;
      }
      const segments = table.segments();
      if (!clean && segments.length <= FEW_SEGMENTS) {
        fewSegmentRows(segments, encode, emit);
        return;
      }
      // Rows built segment by segment (cells in the order rowOf lists them): a lookup per cell, not
      // the list of segments and a lookup in each for every key (a million keys of windows).
      const rows = new Map<KeyPart, unknown[]>();
      for (const [ns, map] of segments) {
        for (const [id, stored] of clean ? [...map] : map) {
          const encoded = encode(map, id, stored);
          if (encoded === undefined) continue;
          const row = rows.get(id);
          if (row === undefined) rows.set(id, [ns ?? null, encoded]);
          else row.push(ns ?? null, encoded);
        }
      }
      for (const [id, row] of rows) emit(id, row);
    },
    takeChanged() {
      const changed = table.changed;
      table.changed = new Set();
      return changed;
    },
    rowOf,
    load: (keys, rows) => loadRows(table, layout, keys, rows, uid),
  };
}

/**
 * The most segments (namespaces, with the default one) whose rows are built key by key, with a
 * lookup of the key in each segment: a window operator's few live windows. Beyond, the rows are
 * gathered in a map by key.
 */
const FEW_SEGMENTS = 8;

/**
 * Emits the rows of a namespaced table of few segments without a map of all its keys (at a million
 * keys of windows, that map and its growth were a tenth of a checkpoint, and more in garbage
 * collection): a key's row is built where its first cell is, from the segments after it, so rows
 * and their cells come in the same order as gathered in a map. No cell expires here (`encode`
 * purges nothing): the segments are not changed while they are read.
 */
function fewSegmentRows(
  segments: readonly [Namespace | undefined, SegmentMap][],
  encode: (map: SegmentMap, id: KeyPart, stored: unknown) => unknown,
  emit: (id: KeyPart, row: unknown) => void,
): void {
  for (let s = 0; s < segments.length; s++) {
    const map = segments[s]![1];
    next: for (const [id, stored] of map) {
      for (let p = 0; p < s; p++) if (segments[p]![1].has(id)) continue next; // (its row was emitted there)
      const first = encode(map, id, stored);
      let cells: unknown[] | undefined = first === undefined ? undefined : [segments[s]![0] ?? null, first];
      for (let q = s + 1; q < segments.length; q++) {
        const [ns, other] = segments[q]!;
        const cell = other.get(id);
        const encoded = cell === undefined ? undefined : encode(other, id, cell);
        if (encoded === undefined) continue;
        cells ??= [];
        cells.push(ns ?? null, encoded);
      }
      if (cells !== undefined) emit(id, cells);
    }
  }
}

/** A value state's cell through its serializer (with TTL, the value beside its stamp). */
function serialized(cell: unknown, ttl: boolean, convert: (value: unknown) => unknown): unknown {
  if (!ttl) return convert(cell);
  const { v, t } = cell as TtlCell<unknown>;
  return { v: convert(v), t };
}

/** The name of a state's rows in the export: `state:<name>`. */
export function stateRows(name: string): string {
  return `${STATE_ROWS}${name}`;
}

/** The prefix of state rows' names, before the state's name. */
export const STATE_ROWS = 'state:';

/**
 * Adds rows exported in `layout` to `table` (cleared before). A layout with TTL restored into a
 * state without keeps the values; one without into a state with TTL stamps them now. Throws
 * `StateDescriptorError` when the state is of another kind, `StateRestoreError` on a malformed row.
 */
export function loadRows(
  table: Table,
  layout: StateTableLayout,
  keys: readonly Key[],
  rows: readonly unknown[],
  uid: string | undefined,
): void {
  if (layout.kind !== table.kind) {
    throw new StateDescriptorError(
      table.name,
      `declared as ${table.kind} state but the imported state is ${layout.kind} state`,
    );
  }
  const fail = (i: number, reason: string): never => {
    throw new StateRestoreError(
      uid,
      `state ${JSON.stringify(table.name)}: the row of key ${JSON.stringify(String(keys[i]))} ${reason}`,
    );
  };
  // Namespaced is sticky (table.ts): rows exported so stay so, and deltas after them keep that layout.
  if (layout.namespaced) table.namespaced = true;
  const withTtl = table.ttl !== undefined;
  const collection = table.kind === 'list' || table.kind === 'map';
  const serializer = table.serializer;
  if (!layout.namespaced && !layout.ttl && !withTtl && !collection && serializer === undefined) {
    // The common case (counts, sums, accumulators without TTL): the row is the cell.
    const map = table.main;
    for (let i = 0; i < keys.length; i++) map.set(keyId(keys[i]!), rows[i]);
    return;
  }
  const now = table.scope.now();
  const put = (map: SegmentMap, i: number, id: KeyPart, exported: unknown): void => {
    let value = exported;
    let stamps: number | readonly number[] | undefined;
    if (layout.ttl) {
      if (!Array.isArray(exported) || exported.length !== 2) fail(i, 'needs [value, stamps] cells (ttl layout)');
      [value, stamps] = exported as [unknown, number | number[]];
    }
    if (collection && !Array.isArray(value)) fail(i, `holds a ${table.kind} state value that is not an array`);
    if (serializer !== undefined) value = serializer.fromPlain(value);
    map.set(
      id,
      !withTtl && !collection ? value : importCell(table.kind, value, withTtl ? (stamps ?? now) : undefined, withTtl),
    );
  };
  for (let i = 0; i < keys.length; i++) {
    const id = keyId(keys[i]!);
    const row = rows[i];
    if (!layout.namespaced) {
      put(table.main, i, id, row);
      continue;
    }
    if (!Array.isArray(row) || row.length % 2 !== 0) fail(i, 'must be [namespace, cell, ...] (namespaced layout)');
    const cells = row as unknown[];
    for (let j = 0; j < cells.length; j += 2) {
      const ns = cells[j];
      if (ns !== null && typeof ns !== 'string' && typeof ns !== 'number') fail(i, `has namespace ${String(ns)}`);
      put(namespaceMap(table, ns as Namespace | null), i, id, cells[j + 1]);
    }
  }
}

function namespaceMap(table: Table, ns: Namespace | null): SegmentMap {
  if (ns === null) return table.main;
  table.namespaces ??= new Map();
  table.namespaced = true;
  let map = table.namespaces.get(ns);
  if (map === undefined) {
    map = new Map();
    table.namespaces.set(ns, map);
  }
  return map;
}

/**
 * Loads the rows a restore kept for a state declared only now. If an export listed them since (as
 * pending rows), deltas go on from there, in that layout only: a TTL added or removed since changes
 * the layout, and the next export is then full.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * loadPending(table, pending, 'counts'); // the table holds the rows; changes are recorded from now
 * ```
 */
export function loadPending(table: Table, pending: PendingRows, uid: string | undefined): void {
  if (pending.layout === undefined) return;
  loadRows(table, pending.layout, pending.keys, pending.rows, uid);
  const layout = table.layout();
  if (pending.exported && layout.ttl === pending.layout.ttl) {
    table.exported = layout;
    table.changed = new Set();
  }
}
