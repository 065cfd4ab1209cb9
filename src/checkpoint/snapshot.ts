/**
 * The snapshot format (DESIGN.md §4): what one checkpoint or savepoint of a pipeline holds. It is
 * plain data, versioned by `SNAPSHOT_FORMAT_VERSION`, and documented here because savepoints are a
 * public, durable format: a savepoint written by this version must load in later versions.
 *
 * Keyed state may be stored incrementally: an operator gives each keyed table either in full or as
 * the keys changed since a parent checkpoint (`KeyedStateSnapshot`). A backend keeps such a checkpoint
 * as a link of a chain (a full base and at most `maxChainLength` deltas) and always restores a full
 * snapshot, so operators never see deltas on restore. This is the idea of Flink's incremental
 * checkpoints (RocksDB shared SST files, changelog state backend), reduced to key-level deltas.
 */

import { keyId, type Key, type KeyPart } from '../core/keys.js';

/** The version of the snapshot format written by this library. Newer versions are refused on load. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** A checkpoint is taken periodically and retained by count; a savepoint is manual, named, and kept. */
export type SnapshotKind = 'checkpoint' | 'savepoint';

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

/**
 * A consistent snapshot of a pipeline. Values anywhere inside `state`, keyed entries, `sources` and
 * `watermarks` are plain data: null, booleans, numbers (including NaN, ±Infinity and -0), strings,
 * bigint, undefined, arrays and plain objects. Maps, Sets, Dates, class instances, typed arrays,
 * functions and symbols are refused when saving, naming where they are. Holes in arrays are stored
 * as undefined.
 */
export interface Snapshot {
  /** The format version; `SNAPSHOT_FORMAT_VERSION` when saved by this library. */
  readonly formatVersion: number;
  readonly pipelineId: string;
  /** The checkpoint id carried by the barrier; unique per pipeline, increasing. */
  readonly checkpointId: number;
  readonly kind: SnapshotKind;
  /** A savepoint's name, unique per pipeline. */
  readonly name?: string | undefined;
  /** When the snapshot was taken, in ms, from the pipeline's processing-time clock (never read here). */
  readonly createdAt: number;
  /**
   * The checkpoint that `delta` keyed tables are relative to. Required when any table is a delta;
   * it must be stored in the same backend.
   */
  readonly parentCheckpointId?: number | undefined;
  /** Each stateful operator's state, by uid. */
  readonly operators: Readonly<Record<string, OperatorStateSnapshot>>;
  /** Each source's position (offset, byte position, ...), by source id: plain data. */
  readonly sources: Readonly<Record<string, unknown>>;
  /** Watermarks at the barrier, by operator or source id (MIN_WATERMARK is -Infinity). */
  readonly watermarks: Readonly<Record<string, number>>;
}

/** Whether any keyed table of the snapshot is a delta. */
export function isIncremental(snapshot: Snapshot): boolean {
  for (const uid of Object.keys(snapshot.operators)) {
    const keyed = snapshot.operators[uid]!.keyed;
    if (keyed === undefined) continue;
    for (const name of Object.keys(keyed)) if (keyed[name]!.kind === 'delta') return true;
  }
  return false;
}

/**
 * Applies `delta`'s keyed deltas to `parent` (a full snapshot): the result is the full snapshot of
 * `delta`'s checkpoint. Non-keyed state, sources and watermarks come from `delta`. Keys keep their
 * first insertion order, so restoring the same chain always yields the same order.
 */
export function applyDelta(parent: Snapshot, delta: Snapshot): Snapshot {
  const operators: Record<string, OperatorStateSnapshot> = {};
  for (const uid of Object.keys(delta.operators)) {
    const op = delta.operators[uid]!;
    if (op.keyed === undefined) {
      defineOwn(operators, uid, op);
      continue;
    }
    const before = Object.prototype.hasOwnProperty.call(parent.operators, uid) ? parent.operators[uid]!.keyed : undefined;
    const keyed: Record<string, KeyedTableSnapshot> = {};
    for (const name of Object.keys(op.keyed)) {
      const table = op.keyed[name]!;
      if (table.kind === 'full') {
        defineOwn(keyed, name, table);
        continue;
      }
      const base = before !== undefined && Object.prototype.hasOwnProperty.call(before, name) ? before[name]! : undefined;
      // The parent is materialized, hence full; a delta here would be a bug of the chain walk.
      if (base !== undefined && base.kind !== 'full') throw new Error(`internal: parent table ${name} of ${uid} is not full`);
      defineOwn(keyed, name, mergeTable(base, table));
    }
    defineOwn(operators, uid, { stateVersion: op.stateVersion, state: op.state, keyed });
  }
  const { parentCheckpointId: _dropped, ...rest } = delta;
  return { ...rest, operators };
}

/**
 * One pass over the base table with lookups in the (small) delta: a 1% delta of a million keys
 * costs a million Map lookups in a map of 10,000, not a million insertions. The base keeps its
 * order; keys new in the delta follow in delta order; the last write of a key in a delta wins.
 */
function mergeTable(
  base: Extract<KeyedTableSnapshot, { kind: 'full' }> | undefined,
  delta: Extract<KeyedTableSnapshot, { kind: 'delta' }>,
): KeyedTableSnapshot {
  const written = new Map<KeyPart, number>();
  for (let i = 0; i < delta.keys.length; i++) written.set(keyId(delta.keys[i]!), i);
  const deleted = new Set<KeyPart>();
  for (const key of delta.deletes) deleted.add(keyId(key));
  const keys: Key[] = [];
  const values: unknown[] = [];
  if (base !== undefined) {
    const check = written.size > 0 || deleted.size > 0;
    for (let i = 0; i < base.keys.length; i++) {
      const key = base.keys[i]!;
      if (check) {
        const id = keyId(key);
        const at = written.get(id);
        if (at !== undefined) {
          keys.push(key);
          values.push(delta.values[at]);
          written.delete(id);
          continue;
        }
        if (deleted.has(id)) continue;
      }
      keys.push(key);
      values.push(base.values[i]);
    }
  }
  for (let i = 0; i < delta.keys.length; i++) {
    const key = delta.keys[i]!;
    const id = keyId(key);
    if (written.get(id) !== i) continue;
    written.delete(id);
    keys.push(key);
    values.push(delta.values[i]);
  }
  return { kind: 'full', keys, values };
}

/** Sets an own property even for names such as "__proto__", which are ordinary uids and table names. */
export function defineOwn<V>(target: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
