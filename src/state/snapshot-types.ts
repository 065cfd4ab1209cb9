/**
 * Keyed state as plain data: the segments of `snapshot()` / `restore()` and the rows per key of
 * `checkpointTables()` / `restoreTables()` (docs/architecture.md §4).
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import type { Key } from '../core/keys.js';
import type { StateKind } from './descriptors.js';
import type { Namespace } from './state-types.js';

/** Exported data of one state: one segment per namespace (the default namespace has no `ns`). */
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

/** Exported data of a whole backend, as plain data. */
export interface KeyedStateSnapshot {
  readonly version: 1;
  readonly states: Readonly<Record<string, StateTableSnapshot>>;
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
 * Keyed state as checkpoint tables (from `checkpointTables`): the layouts are small and belong to
 * the operator's non-keyed state, stored in full each time; the tables go to its keyed tables.
 */
export interface KeyedStateCheckpoint {
  readonly layouts: Readonly<Record<string, StateTableLayout>>;
  readonly tables: Readonly<Record<string, KeyedTableSnapshot>>;
}
