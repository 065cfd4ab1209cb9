/**
 * What an operator reports at a checkpoint and gets back on restore: the part of the snapshot
 * format (src/checkpoint/snapshot.ts, docs/architecture.md §4) that the engine and every stateful
 * folder need, kept at the bottom so that they do not import from checkpoint/.
 */
import type { Key } from './keys.js';

/**
 * One keyed table of an operator (e.g. the counts per key, the window contents per key), as
 * columns: `keys[i]` owns `values[i]`, like the keyed state's own export (src/state), and because
 * two big arrays store and load far faster than a million small `[key, value]` pairs.
 * - `full`: every key and its state;
 * - `delta`: what changed since the parent checkpoint: keys written (with their new state) and keys
 *   removed. A key in both is written (deletes apply first).
 * Keys compare by value (`keyId`), so ["a", 1] and ["a", 1] are the same key.
 */
export type KeyedTableSnapshot =
  | { readonly kind: 'full'; readonly keys: readonly Key[]; readonly values: readonly unknown[] }
  | { readonly kind: 'delta'; readonly keys: readonly Key[]; readonly values: readonly unknown[]; readonly deletes: readonly Key[] };

/** The state of one operator, stored under its uid. */
export interface OperatorStateSnapshot {
  /**
   * The version of the operator's own state layout, so that a later version of the operator (or a
   * user migration hook) can convert old state. Integer >= 0.
   */
  readonly stateVersion: number;
  /** The non-keyed part of the state (any plain data), stored in full in every checkpoint. */
  readonly state: unknown;
  /**
   * Keyed tables by name. In an incremental checkpoint every table the operator has is listed, as a
   * delta when it changed little (an empty delta when it did not change); a table left out is empty.
   */
  readonly keyed?: Readonly<Record<string, KeyedTableSnapshot>>;
}
