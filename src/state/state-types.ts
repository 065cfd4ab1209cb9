/**
 * The state a keyed function sees (Flink's ValueState, ListState, MapState, ReducingState and
 * AggregatingState), scoped to the current key and namespace. Every method reads the key being
 * processed at the call, and throws `NotKeyedError` when no record or timer of a key is being
 * processed. With a TTL, a write refreshes an entry's time, a read too with `'OnReadAndWrite'`,
 * and expired entries read as absent (unless `visibility` is `'ReturnExpiredIfNotCleanedUp'`).
 */
import type { KeyPart } from '../core/keys.js';

/** A namespace within a key's state (a window, for window operators). */
export type Namespace = string | number;

/** One value per key (Flink's ValueState). */
export interface ValueState<T> {
  /** The current key's value; the descriptor's default value (or undefined) if none or expired. */
  value(): T | undefined;
  /** Sets the current key's value; `undefined` clears it, as `null` does in Flink. */
  update(value: T | undefined): void;
  /** Removes the current key's value: `value()` then returns the default value again. */
  clear(): void;
}

/** A list of values per key (Flink's ListState). */
export interface ListState<T> {
  /** The current key's values (a copy): empty if none. */
  get(): T[];
  /** Appends a value to the current key's list, creating the list if there is none. */
  add(value: T): void;
  /** Appends each value, in order, to the current key's list (as many `add` calls). */
  addAll(values: Iterable<T>): void;
  /** Replaces the current key's list; an empty list clears it. */
  update(values: Iterable<T>): void;
  /** Removes the current key's list: `get()` then returns an empty array. */
  clear(): void;
}

/** A map per key (Flink's MapState). */
export interface MapState<UK extends KeyPart, UV> {
  /** The value under `key` in the current key's map, or undefined if there is none or it expired. */
  get(key: UK): UV | undefined;
  /** Sets the value under `key` in the current key's map, replacing any value there. */
  put(key: UK, value: UV): void;
  /** Puts each entry, in order, into the current key's map (as many `put` calls). */
  putAll(entries: Iterable<readonly [UK, UV]>): void;
  /** Removes `key` from the current key's map; does nothing if it is absent. */
  remove(key: UK): void;
  /** Whether the current key's map holds an entry under `key` that has not expired. */
  contains(key: UK): boolean;
  /** The current key's entries (a copy), in insertion order. */
  entries(): [UK, UV][];
  /** The current key's map keys (a copy), in insertion order. */
  keys(): UK[];
  /** The current key's map values (a copy), in the insertion order of their keys. */
  values(): UV[];
  /** Whether the current key's map has no entry (expired entries do not count). */
  isEmpty(): boolean;
  /** Removes the current key's whole map. */
  clear(): void;
}

/** Values added are folded into one (Flink's ReducingState). */
export interface ReducingState<T> {
  /** The current key's folded value, or undefined if nothing was added since the last `clear`. */
  get(): T | undefined;
  /**
   * Folds `value` into the current key's value with the descriptor's `reduce(accumulated, value)`;
   * the first value added is stored as it is. Errors thrown by `reduce` propagate.
   */
  add(value: T): void;
  /** Removes the current key's value: `get()` then returns undefined. */
  clear(): void;
}

/** Inputs added are folded into an accumulator, read as a result (Flink's AggregatingState). */
export interface AggregatingState<IN, OUT> {
  /**
   * The descriptor's `getResult` of the current key's accumulator, or undefined if nothing was
   * added since the last `clear` (Flink returns null).
   */
  get(): OUT | undefined;
  /**
   * Adds `value` to the current key's accumulator with the descriptor's `add`, first creating it
   * with `createAccumulator` if the key has none. Errors thrown by those functions propagate.
   */
  add(value: IN): void;
  /** Removes the current key's accumulator: `get()` then returns undefined. */
  clear(): void;
}
