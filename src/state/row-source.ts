/**
 * Rows per key that a keyed state backend exports with its own states, in the same key-grouped
 * format (docs/checkpoints.md §10): the timers of a timer service, and whatever else a keyed
 * operator keeps per key outside the backend's state tables.
 *
 * How a keyed operator puts its per-key data into the format (the window operator, once its
 * contents live on the keyed state layer):
 * - **cells**: window contents are keyed state with the window as namespace
 *   (`backend.setCurrentNamespace(window)` before a handle is used). Such a state table is exported
 *   with a namespaced layout, one row per key: `[ns0, cell0, ns1, cell1, ...]`. Nothing more to do.
 * - **timers**: timers with a namespace go to an `InternalTimerService` (its `register...` methods
 *   take the window as namespace); `backend.attach(...timers.rowSources())` exports them as rows of
 *   their key (`[keyGroup, time, seq, [time, seq, ns], ...]`).
 * - **other rows** (say, a merging window set per key): implement `KeyedRowSource` and attach it.
 *   `takeChanged` is the change-tracking hook of incremental checkpoints: record every key whose
 *   row changes (a `Set.add` per write) once the first export has asked for changes.
 *
 * Restores give each source back only its rows, of the key groups restored.
 *
 * @example
 * ```ts
 * // The merged windows of each key, exported with the backend's states.
 * // internal: const mergedWindows: KeyedRowSource = {
 * // internal:   name: 'merging-windows',
 * // internal:   forEachRow: (emit) => { for (const [id, set] of sets) emit(id, set.toRow()); },
 * // internal:   takeChanged: () => { const c = changed; changed = new Set(); return c; },
 * // internal:   rowOf: (id) => sets.get(id)?.toRow(),
 * // internal:   load: (keys, rows) => { sets.clear(); keys.forEach((key, i) => sets.set(keyId(key), MergingSet.fromRow(rows[i]))); },
 * // internal: };
 * // internal: backend.attach(mergedWindows);
 * ```
 */
import type { Key, KeyPart } from '../core/keys.js';

/** Rows per key exported and restored with a `KeyedStateBackend` (see the top of this file). */
export interface KeyedRowSource {
  /** The name of its tables in exports; unique in its backend, without "/" (e.g. `timers:event-time`). */
  readonly name: string;
  /**
   * Calls `emit` with every key id (`keyId(key)`) that has a row, and the row: plain data; and the
   * key's group where the source holds it (its timers, a window set): a backend whose keys are
   * grouped as their keyBy grouped them then takes it rather than looking it up per row.
   */
  forEachRow(emit: (id: KeyPart, row: unknown, keyGroup?: number) => void): void;
  /**
   * The keys whose rows changed since the last call, and forgets them; undefined when changes were
   * not recorded (the first call, or the first after a `load`): the export is then full. From the
   * first call on, the source records changes.
   */
  takeChanged(): Iterable<KeyPart> | undefined;
  /** The row of one key now, or undefined when it has none (exported as a delete). */
  rowOf(id: KeyPart): unknown;
  /**
   * Replaces every row with `rows` (`keys[i]` owns `rows[i]`; the restored key groups only, in key
   * group order). The next `takeChanged` returns undefined.
   */
  load(keys: readonly Key[], rows: readonly unknown[]): void;
}
