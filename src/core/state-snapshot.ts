/**
 * What an operator reports at a checkpoint and gets back on restore: the part of the snapshot
 * format (src/checkpoint/snapshot.ts, docs/architecture.md §4) that the engine and every stateful
 * folder need, kept at the bottom so that they do not import from checkpoint/.
 */
import { InvalidOptionError } from './errors.js';
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
  | {
      readonly kind: 'delta';
      readonly keys: readonly Key[];
      readonly values: readonly unknown[];
      readonly deletes: readonly Key[];
    };

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
 * An inclusive range of key groups, as Flink's KeyGroupRange: `{ start: 0, end: 63 }` is the first
 * half of 128 key groups. A restore given a range takes only the keyed state of those groups.
 */
export interface KeyGroupRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The name of the keyed table holding key group `keyGroup` of the rows named `name`
 * (`"<keyGroup>/<name>"`): each key group of keyed state is a table of its own, so that a restore
 * can leave out a range of them before decoding any (docs/checkpoints.md §10).
 *
 * @example
 * keyGroupTable(17, 'state:count'); // '17/state:count'
 * keyGroupOfTable('17/state:count'); // 17
 */
export function keyGroupTable(keyGroup: number, name: string): string {
  return `${keyGroup}/${name}`;
}

/**
 * The key group of a keyed table named by `keyGroupTable`, or undefined for a table of another
 * naming (tables of formats before key groups, an operator's own tables).
 *
 * @example
 * keyGroupOfTable('17/state:count'); // 17
 * keyGroupOfTable('state:count'); // undefined
 */
export function keyGroupOfTable(table: string): number | undefined {
  const slash = table.indexOf('/');
  if (slash <= 0 || slash > 5) return undefined;
  const group = Number(table.slice(0, slash));
  return Number.isSafeInteger(group) && group >= 0 ? group : undefined;
}

/**
 * Whether `keyGroup` lies in `range` (every group when there is no range).
 *
 * @example
 * inKeyGroupRange(70, { start: 64, end: 127 }); // true
 */
export function inKeyGroupRange(keyGroup: number, range: KeyGroupRange | undefined): boolean {
  return range === undefined || (keyGroup >= range.start && keyGroup <= range.end);
}

/**
 * Checks a key-group range option: integers with 0 <= start <= end < 32768 (Flink's largest max
 * parallelism); `InvalidOptionError` naming `option` otherwise.
 *
 * @example
 * checkKeyGroupRange({ start: 0, end: 63 }, 'keyGroups'); // ok
 * checkKeyGroupRange({ start: 5, end: 2 }, 'keyGroups'); // throws InvalidOptionError
 */
export function checkKeyGroupRange(range: unknown, option: string): asserts range is KeyGroupRange | undefined {
  if (range === undefined) return;
  const r = range as Partial<KeyGroupRange> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    Number.isSafeInteger(r.start) &&
    Number.isSafeInteger(r.end) &&
    r.start! >= 0 &&
    r.start! <= r.end! &&
    r.end! < 32768;
  if (!ok)
    throw new InvalidOptionError(
      option,
      range,
      'must be { start, end }: integers with 0 <= start <= end < 32768 (an inclusive range of key groups)',
    );
}

/**
 * Checks a `maxParallelism` option (the number of key groups): undefined, or an integer from 1 to
 * 32768; `InvalidOptionError` otherwise.
 *
 * @example
 * checkMaxParallelism(256); // ok
 * checkMaxParallelism(0); // throws InvalidOptionError
 */
export function checkMaxParallelism(value: unknown): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > 32768) {
    throw new InvalidOptionError('maxParallelism', value, 'must be an integer from 1 to 32768');
  }
}

/** Options of an operator's `restoreCheckpoint`. */
export interface RestoreCheckpointOptions {
  /** The key groups this operator instance takes (all when undefined). */
  readonly keyGroups?: KeyGroupRange | undefined;
}
