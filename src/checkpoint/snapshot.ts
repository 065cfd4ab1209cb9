/**
 * The snapshot format (docs/architecture.md §4): what one checkpoint or savepoint of a pipeline holds. It is
 * plain data, versioned by `SNAPSHOT_FORMAT_VERSION`, and documented here because savepoints are a
 * public, durable format: a savepoint written by this version must load in later versions.
 *
 * Keyed state may be stored incrementally: an operator gives each keyed table either in full or as
 * the keys changed since a parent checkpoint (`KeyedStateSnapshot`). A backend keeps such a checkpoint
 * as a link of a chain (a full base and at most `maxChainLength` deltas) and always restores a full
 * snapshot, so operators never see deltas on restore. This is the design of Flink's FLIP-151
 * ("Incremental snapshots for heap-based state backend": the changed keys and their new state per
 * snapshot, referring to previous snapshots; recovery applies the diffs; compaction bounds the
 * history), here with the compaction as a full snapshot every `maxChainLength + 1` checkpoints.
 */

import { keyId, type Key, type KeyPart } from '../core/keys.js';
import { defineOwn } from '../core/plain-data.js';
import {
  inKeyGroupRange,
  keyGroupOfTable,
  type KeyedTableSnapshot,
  type KeyGroupRange,
  type OperatorStateSnapshot,
} from '../core/state-snapshot.js';

// Kept here too for the modules that import them with the snapshot types (the engine's operators
// import them from core/, below every folder that has state).
export { defineOwn };
export type { KeyedTableSnapshot, OperatorStateSnapshot };

/** The version of the snapshot format written by this library. Newer versions are refused on load. */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** A checkpoint is taken periodically and retained by count; a savepoint is manual, named, and kept. */
export type SnapshotKind = 'checkpoint' | 'savepoint';

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

/**
 * Whether any keyed table of the snapshot is a delta.
 *
 * @example
 * isIncremental({ ...snapshot, operators: { counts: { stateVersion: 1, state: null,
 *   keyed: { count: { kind: 'delta', keys: ['a'], values: [2], deletes: [] } } } } }); // true
 */
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
 * `delta`'s checkpoint. Non-keyed state, sources and watermarks come from `delta`. The order of keys
 * is deterministic (the base's, then new keys), so restoring the same chain always gives the same
 * order; operators must not depend on it otherwise.
 *
 * @example
 * const full = applyDelta(checkpoint1, checkpoint2); // checkpoint2.parentCheckpointId === 1
 * full.operators.counts.keyed?.count; // { kind: 'full', keys: [...], values: [...] }
 */
export function applyDelta(parent: Snapshot, delta: Snapshot): Snapshot {
  return applyDeltas(parent, [delta]);
}

/**
 * What restoring a range of key groups leaves out of a snapshot: the keyed tables of the other key
 * groups (named `<keyGroup>/<rows>`, docs/checkpoints.md §10), by every operator. Tables of other
 * names (state stored before key groups) are kept: their operators filter them when restoring.
 * Works on a decoded snapshot and, as `decodeValue`'s `prune`, on the parsed tree before decoding,
 * so that the binary columns of the groups left out are never read.
 *
 * @example
 * const firstHalf = keyGroupPruner({ start: 0, end: 63 });
 * firstHalf(snapshot); // snapshot.operators.counts.keyed holds the tables of key groups 0 to 63 only
 */
export function keyGroupPruner(range: KeyGroupRange): (snapshot: unknown) => void {
  return (snapshot) => {
    const operators = plainObject(plainObject(snapshot)?.operators);
    if (operators === undefined) return;
    for (const uid of Object.keys(operators)) {
      const keyed = plainObject(plainObject(operators[uid])?.keyed);
      if (keyed === undefined) continue;
      for (const table of Object.keys(keyed)) {
        const group = keyGroupOfTable(table);
        if (group !== undefined && !inKeyGroupRange(group, range)) delete keyed[table];
      }
    }
  };
}

/** An object of the snapshot tree, also in its parsed null-prototype form `["~o", {...}]` (codec.ts). */
function plainObject(node: unknown): Record<string, unknown> | undefined {
  if (Array.isArray(node)) return node.length === 2 && node[0] === '~o' ? plainObject(node[1]) : undefined;
  return typeof node === 'object' && node !== null ? (node as Record<string, unknown>) : undefined;
}

type FullTable = Extract<KeyedTableSnapshot, { kind: 'full' }>;
type DeltaTable = Extract<KeyedTableSnapshot, { kind: 'delta' }>;

/**
 * Applies a chain of incremental snapshots, oldest first, to `parent` (full). Each table's deltas
 * are composed first (they are small) and merged into the base once, so a restore through a chain
 * of n deltas copies the big base columns once, not n times. A table that an intermediate snapshot
 * leaves out is empty from there on (a snapshot lists every table its operators have).
 *
 * @example
 * const latest = applyDeltas(fullCheckpoint5, [delta6, delta7, delta8]); // the full state of 8
 */
export function applyDeltas(parent: Snapshot, deltas: readonly Snapshot[]): Snapshot {
  const last = deltas[deltas.length - 1];
  if (last === undefined) return parent;
  const chain = [parent, ...deltas];
  const operators: Record<string, OperatorStateSnapshot> = {};
  for (const uid of Object.keys(last.operators)) {
    const op = last.operators[uid]!;
    if (op.keyed === undefined) {
      defineOwn(operators, uid, op);
      continue;
    }
    const keyed: Record<string, KeyedTableSnapshot> = {};
    for (const name of Object.keys(op.keyed)) {
      // Walk back from the last snapshot while the table is a delta; what stops the walk is its base.
      const pending: DeltaTable[] = [];
      let base: FullTable | undefined;
      for (let i = chain.length - 1; i >= 0; i--) {
        const table = tableOf(chain[i]!, uid, name);
        if (table === undefined) break;
        if (table.kind === 'full') {
          base = table;
          break;
        }
        if (i === 0) throw new Error(`internal: parent table ${name} of ${uid} is not full`);
        pending.push(table);
      }
      if (pending.length === 0) {
        defineOwn(keyed, name, base!);
        continue;
      }
      pending.reverse();
      defineOwn(keyed, name, mergeTable(base, pending));
    }
    defineOwn(operators, uid, { stateVersion: op.stateVersion, state: op.state, keyed });
  }
  const { parentCheckpointId: _dropped, ...rest } = last;
  return { ...rest, operators };
}

function tableOf(s: Snapshot, uid: string, name: string): KeyedTableSnapshot | undefined {
  if (!Object.hasOwn(s.operators, uid)) return undefined;
  const keyed = s.operators[uid]!.keyed;
  if (keyed === undefined || !Object.hasOwn(keyed, name)) return undefined;
  return keyed[name];
}

/**
 * The full table after `deltas`, applied in order to `base`, in one pass over the base with lookups
 * in the (small) deltas: a 1% delta of a million keys costs a million Map lookups in a map of
 * 10,000, not a million insertions. The deltas are composed first: a key's last write wins, and a
 * key deleted and later written is written (deletes may be the union). The base keeps its order;
 * keys new in the deltas follow in the order they were first written.
 */
function mergeTable(base: FullTable | undefined, deltas: readonly DeltaTable[]): FullTable {
  const written = new Map<KeyPart, [Key, unknown]>();
  const deleted = new Set<KeyPart>();
  for (const delta of deltas) {
    for (const key of delta.deletes) {
      const id = keyId(key);
      written.delete(id);
      deleted.add(id);
    }
    for (let i = 0; i < delta.keys.length; i++) {
      const key = delta.keys[i]!;
      const id = keyId(key);
      const entry = written.get(id);
      if (entry === undefined) written.set(id, [key, delta.values[i]]);
      else entry[1] = delta.values[i];
    }
  }
  const keys: Key[] = [];
  const values: unknown[] = [];
  const check = written.size > 0 || deleted.size > 0;
  const baseKeys = base?.keys ?? [];
  for (let i = 0; i < baseKeys.length; i++) {
    const key = baseKeys[i]!;
    if (check) {
      const id = keyId(key);
      const entry = written.get(id);
      if (entry !== undefined) {
        keys.push(key);
        values.push(entry[1]);
        written.delete(id);
        continue;
      }
      if (deleted.has(id)) continue;
    }
    keys.push(key);
    values.push(base!.values[i]);
  }
  for (const [key, value] of written.values()) {
    keys.push(key);
    values.push(value);
  }
  return { kind: 'full', keys, values };
}
