/**
 * Keyed state as plain data (docs/checkpoints.md §10): the key-grouped export of
 * `KeyedStateBackend.snapshot()` (format 3), and the two formats stored before it, which
 * `restore()` still reads through a migration (format-migration.ts): the segments (format 1) and
 * the checkpoint tables (format 2).
 */
import type { KeyedTableSnapshot, KeyGroupRange } from '../core/state-snapshot.js';
import type { Key } from '../core/keys.js';
import type { StateKind } from './descriptors.js';
import type { Namespace } from './state-types.js';

/** The version of the keyed state export written by this library (formats 1 and 2 are migrated on restore). */
export const KEYED_STATE_FORMAT = 3;

/**
 * The non-keyed part of an export: small, stored in full each time (in the operator's `state`).
 * `states` holds the layout of each state's rows (`StateTableLayout`).
 */
export interface KeyedStateHeader {
  readonly format: typeof KEYED_STATE_FORMAT;
  readonly states: Readonly<Record<string, StateTableLayout>>;
}

/**
 * What `KeyedStateBackend.snapshot()` returns and `restore()` takes: the header, and keyed tables
 * named `<keyGroup>/<rows>` (`7/state:count`, `7/timers:event-time`): the operator's `keyed`.
 */
export interface KeyedStateExport {
  readonly header: KeyedStateHeader;
  readonly tables: Readonly<Record<string, KeyedTableSnapshot>>;
}

/** Options of `KeyedStateBackend.restore`. */
export interface KeyedRestoreOptions {
  /** Restore only the keys of these key groups (an inclusive range); the others are not read. */
  readonly keyGroups?: KeyGroupRange | undefined;
}

/** Format 1 (stored before format 3): exported data of one state, one segment per namespace (the default namespace has no `ns`). */
export interface StateTableSnapshot {
  readonly kind: StateKind;
  readonly segments: readonly StateSegmentSnapshot[];
}

/**
 * Columns of one namespace: `keys[i]` owns `values[i]`. With TTL, `ts[i]` is the last-refresh
 * processing time (an array for list and map state, one per element or entry). Map state values are
 * arrays of `[mapKey, mapValue]` pairs.
 */
export interface StateSegmentSnapshot {
  readonly ns?: Namespace;
  readonly keys: readonly Key[];
  readonly values: readonly unknown[];
  readonly ts?: readonly (number | readonly number[])[];
}

/** Format 1: exported data of a whole backend (`snapshot()` before format 3). */
export interface KeyedStateSnapshot {
  readonly version: 1;
  readonly states: Readonly<Record<string, StateTableSnapshot>>;
  /** Other rows per key stored with them (an operator's timers, migrated), by name. */
  readonly rows?: Readonly<Record<string, KeyedTableSnapshot>>;
}

/**
 * How the rows of one state's checkpoint table are encoded. A row holds everything one key has in
 * that state, so a delta can replace it whole:
 * - a cell is the state's exported value (value-like state: the value; list state: the array;
 *   map state: an array of `[mapKey, mapValue]` pairs); with `ttl` it is `[value, stamp]` (for lists
 *   and maps `[values, stamps]`, one last-refresh time per element or entry);
 * - without `namespaced` the row is the key's one cell (default namespace), so a table of counts is
 *   a column of plain numbers; with `namespaced` it is `[ns0, cell0, ns1, cell1, ...]`, with null
 *   for the default namespace.
 */
export interface StateTableLayout {
  readonly kind: StateKind;
  readonly ttl: boolean;
  readonly namespaced: boolean;
}

/**
 * Format 2 (stored before format 3): keyed state as checkpoint tables, one per state, of rows per
 * key, without key groups (from `checkpointTables()`). `rows` are other rows per key stored with
 * them (an operator's timers), by name.
 */
export interface KeyedStateCheckpoint {
  readonly layouts: Readonly<Record<string, StateTableLayout>>;
  readonly tables: Readonly<Record<string, KeyedTableSnapshot>>;
  readonly rows?: Readonly<Record<string, KeyedTableSnapshot>>;
}
