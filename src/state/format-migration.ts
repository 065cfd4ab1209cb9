/**
 * Versioned migration of stored keyed state to the format `KeyedStateBackend.restore` reads
 * (format 3, keyed-export.ts). Each stored format has a version and one function that converts it
 * to a later one (`MIGRATIONS`); a restore runs them in order:
 * - format 0, rows of one kind stored whole as a list with their keys and key groups (the window
 *   operator's `WindowOperatorState` v1): converted to format 3 by key group (`KeyedRowList`);
 * - format 1, the segments of `snapshot()` before format 3 (`{ version: 1, states }`): columns per
 *   state and namespace; converted to format 2 as `checkpointTables()` converted them;
 * - format 2, the checkpoint tables of `checkpointTables()` (`{ layouts, tables }`): rows per key,
 *   one table per state; converted to format 3 by splitting each table by key group.
 * Operators migrate their own parts first: keyedProcess's timers (columns in format 1, a table of
 * rows in format 2) become `rows` beside the states (`timerColumnsAsRows`).
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { keyGroupTable } from '../core/state-snapshot.js';
import { keyGroupOf, keyId, type Key, type KeyPart } from '../core/keys.js';
import { defineOwn } from '../core/plain-data.js';
import { isObject } from './cells.js';
import { StateRestoreError } from './errors.js';
import type {
  KeyedStateCheckpoint,
  KeyedStateExport,
  KeyedStateSnapshot,
  StateSegmentSnapshot,
  StateTableLayout,
  StateTableSnapshot,
} from './snapshot-types.js';
import { KEYED_STATE_FORMAT } from './snapshot-types.js';
import type { Namespace } from './state-types.js';
import { stateRows } from './table-rows.js';

/** What a migration needs: the uid for errors and the max parallelism that assigns key groups. */
export interface MigrationContext {
  readonly uid: string | undefined;
  readonly maxParallelism: number;
}

/**
 * A migration step: what it converts a stored format to, and the format version of that (also the
 * window operator's formats, window/window-migration.ts).
 */
export interface Migration<C = MigrationContext> {
  readonly to: number;
  readonly migrate: (data: never, context: C) => unknown;
}

/** The migration from each stored format, by the version it reads. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  0: { to: KEYED_STATE_FORMAT, migrate: rowListToKeyGroups },
  1: { to: 2, migrate: segmentsToTables },
  2: { to: KEYED_STATE_FORMAT, migrate: tablesToKeyGroups },
};

/**
 * Format 0: one kind of rows stored whole as a list, each entry a key's row with its `key` and
 * `keyGroup` beside the rest (the window operator's `WindowOperatorState` v1 keys, named
 * `windows`). Migrated to format 3 as the rows `name`, each the entry without its key, in the
 * table of its stored key group: the key group a keyBy gave it, which a restore cannot compute
 * for every keyBy. A key group below 0 (windowAll's one key) goes to group 0, an undefined key
 * (the same) is stored as 0.
 */
export interface KeyedRowList {
  readonly rowList: string;
  readonly entries: readonly unknown[];
}

/**
 * Stored keyed state of any format, as format 3. Throws `StateRestoreError` naming the uid when
 * the data is no known format or malformed.
 *
 * @example
 * ```ts
 * migrateKeyedState({ version: 1, states: { count: { kind: 'value', segments: [{ keys: ['a'], values: [3] }] } } }, { uid: 'c', maxParallelism: 128 });
 * // { header: { format: 3, states: { count: { kind: 'value', ttl: false, namespaced: false } } }, tables: { '81/state:count': { kind: 'full', keys: ['a'], values: [3] } } }
 * ```
 */
export function migrateKeyedState(data: unknown, context: MigrationContext): KeyedStateExport {
  let version = formatOf(data, context.uid);
  let migrated = data;
  while (version < KEYED_STATE_FORMAT) {
    const step = MIGRATIONS[version]!;
    migrated = step.migrate(migrated as never, context);
    version = step.to;
  }
  return migrated as KeyedStateExport;
}

/** The format version of stored keyed state. */
function formatOf(data: unknown, uid: string | undefined): number {
  if (isObject(data)) {
    if (isObject(data.header) && data.header.format === KEYED_STATE_FORMAT) return KEYED_STATE_FORMAT;
    if (isObject(data.header) && typeof data.header.format === 'number') {
      throw new StateRestoreError(
        uid,
        `keyed state of format ${data.header.format}, newer than this version reads (${KEYED_STATE_FORMAT})`,
      );
    }
    if (typeof data.rowList === 'string' && Array.isArray(data.entries)) return 0;
    if (data.version === 1 && isObject(data.states)) return 1;
    if (isObject(data.layouts) && isObject(data.tables)) return 2;
  }
  throw new StateRestoreError(
    uid,
    `keyed state must be an export of KeyedStateBackend.snapshot() ({ header: { format: ${KEYED_STATE_FORMAT}, states }, tables })`,
  );
}

/** Format 1 to 2: each state's segments as rows per key. */
function segmentsToTables(data: KeyedStateSnapshot, { uid }: MigrationContext): KeyedStateCheckpoint {
  const layouts: Record<string, StateTableLayout> = {};
  const tables: Record<string, KeyedTableSnapshot> = {};
  for (const [name, table] of Object.entries(data.states)) {
    validateTable(uid, name, table);
    const layout = layoutOf(table);
    defineOwn(layouts, name, layout);
    defineOwn(tables, name, rowsOf(table, layout));
  }
  return data.rows === undefined ? { layouts, tables } : { layouts, tables, rows: data.rows };
}

/** Format 2 to 3: each table split by key group. */
function tablesToKeyGroups(data: KeyedStateCheckpoint, { uid, maxParallelism }: MigrationContext): KeyedStateExport {
  const out: Record<string, KeyedTableSnapshot> = {};
  const split = (name: string, table: unknown): void => {
    const t = table as Partial<Extract<KeyedTableSnapshot, { kind: 'full' }>> | null;
    if (
      !isObject(t) ||
      t.kind !== 'full' ||
      !Array.isArray(t.keys) ||
      !Array.isArray(t.values) ||
      t.keys.length !== t.values.length
    ) {
      throw new StateRestoreError(uid, `${name}: expected a full table of keys and values of equal length`);
    }
    const keys = t.keys;
    addByKeyGroup(out, name, keys, t.values, (i) => keyGroupOf(keys[i]!, maxParallelism));
  };
  for (const [name, table] of Object.entries(data.tables)) {
    if (!isLayout(data.layouts[name])) throw new StateRestoreError(uid, `state ${JSON.stringify(name)}: no layout`);
    split(stateRows(name), table);
  }
  for (const [name, table] of Object.entries(data.rows ?? {})) split(name, table);
  return { header: { format: KEYED_STATE_FORMAT, states: data.layouts }, tables: out };
}

/**
 * Format 0 to 3: each entry's row in the table of its stored key group. Exported for the window
 * operator's v1 state (window-rows.ts), which is always format 0: calling it directly, rather than
 * `migrateKeyedState`, leaves the migrations of formats 1 and 2 out of a bundle of windows.
 *
 * @example
 * ```ts
 * // internal: rowListToKeyGroups({ rowList: 'windows', entries: state.keys })
 * ```
 */
export function rowListToKeyGroups(data: KeyedRowList): KeyedStateExport {
  const keys: Key[] = [];
  const rows: unknown[] = [];
  const groups: number[] = [];
  for (const entry of data.entries) {
    const { key, ...row } = isObject(entry) ? entry : { key: undefined };
    keys.push((key === undefined ? 0 : key) as Key);
    rows.push(row);
    groups.push(isObject(entry) && typeof entry.keyGroup === 'number' ? Math.max(entry.keyGroup, 0) : 0);
  }
  const tables: Record<string, KeyedTableSnapshot> = {};
  addByKeyGroup(tables, data.rowList, keys, rows, (i) => groups[i]!);
  return { header: { format: KEYED_STATE_FORMAT, states: {} }, tables };
}

/** Adds `keys` and their `values` to `out` as full tables `<keyGroup>/<name>`, in key-group order. */
function addByKeyGroup(
  out: Record<string, KeyedTableSnapshot>,
  name: string,
  keys: readonly Key[],
  values: readonly unknown[],
  groupOf: (i: number) => number,
): void {
  const groups = new Map<number, { keys: Key[]; values: unknown[] }>();
  for (let i = 0; i < keys.length; i++) {
    const group = groupOf(i);
    let g = groups.get(group);
    if (g === undefined) {
      g = { keys: [], values: [] };
      groups.set(group, g);
    }
    g.keys.push(keys[i]!);
    g.values.push(values[i]);
  }
  for (const group of [...groups.keys()].sort((a, b) => a - b))
    defineOwn(out, keyGroupTable(group, name), { kind: 'full', ...groups.get(group)! });
}

/** The timer columns of a format-1 timer export (`TimerServiceSnapshot.eventTime`), in firing order. */
export interface TimerColumns {
  readonly keys: readonly Key[];
  readonly keyGroups: readonly number[];
  readonly times: readonly number[];
  readonly ns?: readonly (Namespace | null)[];
}

/**
 * Format-1 timer columns as a table of timer rows (timer-rows.ts), registration order kept from
 * the firing order. Throws `StateRestoreError` naming `uid` and `what` on malformed columns.
 */
export function timerColumnsAsRows(data: unknown, uid: string | undefined, what: string): KeyedTableSnapshot {
  const s = data as Partial<TimerColumns> | null;
  if (
    !isObject(s) ||
    !Array.isArray(s.keys) ||
    !Array.isArray(s.keyGroups) ||
    !Array.isArray(s.times) ||
    s.keys.length !== s.times.length ||
    s.keyGroups.length !== s.times.length ||
    (s.ns !== undefined && (!Array.isArray(s.ns) || s.ns.length !== s.times.length))
  ) {
    throw new StateRestoreError(uid, `${what} timers must be columns keys, keyGroups, times of equal length`);
  }
  const rows = new Map<KeyPart, [Key, unknown[]]>();
  for (let i = 0; i < s.times.length; i++) {
    const id = keyId(s.keys[i]!);
    let row = rows.get(id);
    if (row === undefined) {
      row = [s.keys[i]!, [s.keyGroups[i]]];
      rows.set(id, row);
    }
    const ns = s.ns?.[i];
    if (ns === undefined || ns === null) row[1].push(s.times[i], i);
    else row[1].push([s.times[i], i, ns]);
  }
  return fullTable(rows);
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
  return fullTable(rows);
}

/** A full table of the rows collected per key id, in the order the keys came. */
function fullTable(rows: Map<KeyPart, [Key, unknown[]]>): KeyedTableSnapshot {
  const keys: Key[] = [];
  const values: unknown[] = [];
  for (const [key, row] of rows.values()) {
    keys.push(key);
    values.push(row);
  }
  return { kind: 'full', keys, values };
}

/** Checks the shape of an imported table, naming the state in a `StateRestoreError`. */
export function validateTable(
  uid: string | undefined,
  name: string,
  data: unknown,
): asserts data is StateTableSnapshot {
  const fail = (reason: string): never => {
    throw new StateRestoreError(uid, `state ${JSON.stringify(name)}: ${reason}`);
  };
  if (!isObject(data)) fail('must be an object');
  const table = data as Record<string, unknown>;
  if (!['value', 'list', 'map', 'reducing', 'aggregating'].includes(table.kind as string))
    fail(`unknown kind ${String(table.kind)}`);
  if (!Array.isArray(table.segments)) fail('segments must be an array');
  for (const segment of table.segments as unknown[]) {
    if (!isObject(segment) || !Array.isArray(segment.keys) || !Array.isArray(segment.values))
      fail('each segment needs keys and values arrays');
    const s = segment as Record<string, unknown[]>;
    if (s.keys!.length !== s.values!.length) fail('keys and values differ in length');
    if (s.ts !== undefined && (!Array.isArray(s.ts) || s.ts.length !== s.keys!.length))
      fail('ts and keys differ in length');
    if ((table.kind === 'list' || table.kind === 'map') && !s.values!.every(Array.isArray))
      fail(`${String(table.kind)} values must be arrays`);
  }
}
/** Whether `value` is a `StateTableLayout`. */
export function isLayout(value: unknown): value is StateTableLayout {
  return (
    isObject(value) &&
    typeof value.kind === 'string' &&
    typeof value.ttl === 'boolean' &&
    typeof value.namespaced === 'boolean'
  );
}
