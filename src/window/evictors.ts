/**
 * Evictors remove elements from a window before or after its function runs (Flink's `Evictor`). A
 * window with an evictor keeps all its elements, as in Flink's EvictingWindowOperator, and folds
 * reduce/aggregate functions at firing time. This file holds the contract; the built-in evictors
 * are in built-in-evictors.ts (they bring the general path, which the contract's users must not).
 */
import type { BringsGeneralPath } from './window-path.js';
import type { TimeWindow } from './windows.js';

/** An element with its timestamp, as evictors see it (Flink's `TimestampedValue`). */
export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: number;
}

/** What an evictor can read besides the elements. */
export interface EvictorContext {
  /** The operator's current event-time watermark (-Infinity before the first). */
  readonly currentWatermark: number;
  /** Processing time now, from the injected scheduler. */
  currentProcessingTime(): number;
}

/**
 * An evictor: each method receives the window's elements in arrival order and returns those to keep.
 *
 * @example
 * ```ts
 * const dropNegatives = defineEvictor<number>({ evictBefore: (elements) => elements.filter((e) => e.value >= 0) });
 * ```
 */
export interface Evictor<T> extends BringsGeneralPath {
  /** A name that describes the evictor; the built-in ones set it, e.g. `countEvictor(100)`. */
  readonly name?: string;
  /**
   * Called when `window` fires, before its function runs. Returns the elements to keep: they replace
   * the window's contents and are all the function sees; if none are left, the function does not run.
   */
  evictBefore?(elements: TimestampedValue<T>[], window: TimeWindow, ctx: EvictorContext): TimestampedValue<T>[];
  /**
   * Called when `window` fires, after its function ran. Returns the elements to keep in the window
   * for its later firings.
   */
  evictAfter?(elements: TimestampedValue<T>[], window: TimeWindow, ctx: EvictorContext): TimestampedValue<T>[];
}
