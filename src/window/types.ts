/**
 * The types of the window operator (src/window/operator.ts): what a window function is, what it
 * receives and returns, the options, and the exported state. After Flink's `ProcessWindowFunction`,
 * its `Context`, and `Collector`.
 */
import type { StreamRecord } from '../core/elements.js';
import type { Counters } from '../core/counters.js';
import type { QueryableEntry, QueryableOption } from '../core/queryable.js';
import type { SideOutput } from '../rx/side-output.js';
import type { WindowAggregateFunction } from './aggregates.js';
import type { Evictor } from './evictors.js';
import type { PaneInfo } from './pane-info.js';
import type { Trigger } from './triggers.js';
import type { TimeWindow } from './windows.js';

/** One result of a window: its key, its bounds, the window function's value, and which firing of the window it is. */
export interface WindowResult<K, R> {
  readonly key: K;
  readonly window: TimeWindow;
  readonly value: R;
  /** Which firing of the window this is: early, on time or late, its index, first and last (Beam's PaneInfo). */
  readonly pane: PaneInfo;
}

/** What a process window function sees besides the elements (Flink's ProcessWindowFunction.Context). */
export interface WindowContext<K> {
  /** The key of the window that fires. */
  readonly key: K;
  /** The bounds of the window that fires. */
  readonly window: TimeWindow;
  /** The operator's current event-time watermark (-Infinity before the first). */
  readonly currentWatermark: number;
  /** Processing time now, from the injected scheduler. */
  currentProcessingTime(): number;
}

/** Collects the outputs of a process window function (Flink's `Collector`). */
export interface Collector<R> {
  /**
   * Emits one result of the window that fires: a `WindowResult` with the window's key and bounds,
   * timestamped `end - 1` (Flink's `window.maxTimestamp()`). May be called any number of times.
   */
  collect(value: R): void;
}

/**
 * A function over all elements of a window when it fires (Flink's ProcessWindowFunction). Combined
 * with `reduce` or `aggregate`, it receives the single pre-aggregated value.
 */
export type ProcessWindowFunction<IN, R, K> = (
  elements: readonly IN[],
  context: WindowContext<K>,
  out: Collector<R>,
) => void;

/** Which function evaluates a window. */
export type WindowFunction<T, R, K> =
  | {
      readonly kind: 'aggregate';
      readonly aggregate: WindowAggregateFunction<T, unknown, unknown>;
      readonly process?: ProcessWindowFunction<unknown, R, K>;
    }
  | {
      readonly kind: 'reduce';
      /** Folds two values of a window into one (Flink's ReduceFunction): as elements arrive, and when sessions merge. */
      readonly reduce: (a: T, b: T) => T;
      readonly process?: ProcessWindowFunction<T, R, K>;
    }
  | { readonly kind: 'process'; readonly process: ProcessWindowFunction<T, R, K> };

/** Options of the window operator (shared by `window`, `windowAll`, `countWindow`). */
export interface WindowOptions<T, K> {
  /** When to evaluate a window; defaults to the assigner's (event-time, processing-time, never). */
  trigger?: Trigger<T>;
  /** Removes elements before/after evaluation; makes the window keep all its elements. */
  evictor?: Evictor<T>;
  /**
   * How long after a window's end (in event time) its state is kept so that late elements update
   * it and fire it again (Flink's allowedLateness). Default 0. Event-time windows only.
   */
  allowedLateness?: number;
  /** Receives elements that are late for all their windows; without it they are counted as `droppedLate`. */
  lateOutput?: SideOutput<StreamRecord<T, K>>;
  /** Counters for `droppedLate` and `lateRecordsToSideOutput`. */
  counters?: Counters;
  /** Stable id of this operator's state in snapshots. */
  uid?: string;
  /**
   * Makes each key's open windows readable by the UI (local queryable state):
   * `queryableWindows(registry, name)`.
   */
  queryable?: QueryableWindows;
}

/**
 * The keyBy a keyed window operator is fused with (fused-window.ts): the operator then reads
 * records that are not keyed yet and keys them itself.
 */
export interface FusedKeyBy<T, K> {
  /** The keyBy's key selector. */
  readonly selectKey: (value: T) => K;
  /** The keyBy's max parallelism: the number of key groups. */
  readonly maxParallelism: number;
}

/** Counter of records dropped because they were late for all their windows (Flink's numLateRecordsDropped). */
export const DROPPED_LATE = 'droppedLate';
/** Counter of late records routed to the late side output. */
export const LATE_TO_SIDE_OUTPUT = 'lateRecordsToSideOutput';

/** Exported state of a window operator (plain data). */
export interface WindowOperatorState {
  readonly version: 1;
  readonly uid: string | null;
  readonly assigner: string;
  readonly watermark: number;
  readonly keys: readonly {
    readonly key: unknown;
    readonly keyGroup: number;
    readonly windows: readonly {
      readonly start: number;
      readonly end: number;
      readonly has: boolean;
      readonly acc: unknown;
      readonly values: unknown[] | null;
      readonly times: number[] | null;
      readonly trigger: [string, unknown][] | null;
      readonly eventTimers: number[];
      readonly processingTimers: number[];
      /** How many panes the window has fired (for the next one's `index`); absent when 0, and in older snapshots. */
      readonly panes?: number;
    }[];
  }[];
}

/** One key of the exported state. */
export type KeyData = WindowOperatorState['keys'][number];
/** One window of a key in the exported state. */
export type WindowData = KeyData['windows'][number];

/** One open window of a key, as the queryable view shows it. */
export interface OpenWindow {
  readonly start: number;
  readonly end: number;
  /** The incremental accumulator (reduce, aggregate), or undefined when the window keeps elements. */
  readonly accumulator: unknown;
  /** The window's elements, when it keeps them (process functions, evictors); else null. */
  readonly elements: readonly unknown[] | null;
}

/**
 * The `queryable` option of a window operator: a registry and a view name, with the code that reads
 * the operator's open windows. Made by `queryableWindows(registry, name)`.
 */
export interface QueryableWindows extends QueryableOption {
  /** Reads the open windows of the operator whose state is `state` (an opaque handle the operator passes). */
  readonly read: (state: object) => readonly QueryableEntry<unknown, readonly OpenWindow[]>[];
}
