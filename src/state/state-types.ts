/**
 * The state a keyed function sees (Flink's ValueState, ListState, MapState, ReducingState and
 * AggregatingState), scoped to the current key and namespace.
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
  clear(): void;
}

/** A list of values per key (Flink's ListState). */
export interface ListState<T> {
  /** The current key's values (a copy): empty if none. */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the current key's list; an empty list clears it. */
  update(values: Iterable<T>): void;
  clear(): void;
}

/** A map per key (Flink's MapState). */
export interface MapState<UK extends KeyPart, UV> {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<readonly [UK, UV]>): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  /** The current key's entries (a copy), in insertion order. */
  entries(): [UK, UV][];
  keys(): UK[];
  values(): UV[];
  isEmpty(): boolean;
  clear(): void;
}

/** Values added are folded into one (Flink's ReducingState). */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** Inputs added are folded into an accumulator, read as a result (Flink's AggregatingState). */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}
