/**
 * What a window assigner is (after Flink's `WindowAssigner`): plain descriptions that the window
 * operator interprets, made by the functions of assigners.ts. Apart from them so that the operator's
 * setup (config.ts) can name them without importing the assigners, which bring the general path.
 */
import type { MergingWindowSet } from './merging-window-set.js';
import type { Trigger } from './triggers.js';
import type { BringsGeneralPath } from './window-path.js';

/** Tumbling or sliding windows of a fixed size (Flink's Tumbling/SlidingEventTimeWindows, ...). */
export interface FixedWindowAssigner extends BringsGeneralPath {
  readonly kind: 'fixed';
  readonly size: number;
  /** Distance between window starts; equal to `size` for tumbling windows. */
  readonly slide: number;
  readonly offset: number;
  readonly eventTime: boolean;
  readonly name: string;
  /**
   * The trigger used when none is given (Flink's `WindowAssigner.getDefaultTrigger`): each assigner
   * brings its own, so a pipeline bundles only the default triggers of the assigners it uses.
   * @internal
   */
  readonly defaultTrigger: Trigger<unknown>;
}

/** Session windows (Flink's EventTimeSessionWindows, DynamicEventTimeSessionWindows, ...). */
export interface SessionWindowAssigner<T> extends BringsGeneralPath {
  readonly kind: 'session';
  /** The gap for an element: each element opens `[t, t + gap)`. */
  readonly gap: (value: T) => number;
  readonly dynamic: boolean;
  readonly eventTime: boolean;
  readonly name: string;
  /**
   * The trigger used when none is given (Flink's `WindowAssigner.getDefaultTrigger`): each assigner
   * brings its own, so a pipeline bundles only the default triggers of the assigners it uses.
   * @internal
   */
  readonly defaultTrigger: Trigger<unknown>;
  /**
   * How the window operator merges this assigner's windows (Flink's `MergingWindowAssigner`): the
   * merging code comes with the merging assigners, so a pipeline without sessions does not bundle it.
   * @internal
   */
  readonly merging: typeof MergingWindowSet;
}

/** The one global window (Flink's GlobalWindows): it fires only through a trigger. */
export interface GlobalWindowAssigner extends BringsGeneralPath {
  readonly kind: 'global';
  readonly eventTime: false;
  readonly name: string;
  /** Whether the default trigger fires at the end of input (Flink's `createWithEndOfStreamTrigger`). */
  readonly endOfStreamTrigger: boolean;
  /**
   * The trigger used when none is given (Flink's `WindowAssigner.getDefaultTrigger`): each assigner
   * brings its own, so a pipeline bundles only the default triggers of the assigners it uses.
   * @internal
   */
  readonly defaultTrigger: Trigger<unknown>;
}

/** Assigns each element to zero or more windows. */
export type WindowAssigner<T = unknown> = FixedWindowAssigner | SessionWindowAssigner<T> | GlobalWindowAssigner;
