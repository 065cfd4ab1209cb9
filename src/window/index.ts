// Public API of src/window: event-time and processing-time windows with Flink's semantics.
export { window } from './window.js';
export { windowBy } from './windowBy.js';
export { windowAll } from './windowAll.js';
export { countWindow } from './countWindow.js';
export { WindowedStream, type WindowConfig, type WindowOperatorFunction } from './windowed-stream.js';
export {
  DROPPED_LATE,
  LATE_TO_SIDE_OUTPUT,
  type Collector,
  type ProcessWindowFunction,
  type WindowContext,
  type WindowFunction,
  type WindowOptions,
  type WindowResult,
} from './operator.js';
export {
  tumblingEventTimeWindows,
  slidingEventTimeWindows,
  eventTimeSessionWindows,
  dynamicEventTimeSessionWindows,
  tumblingProcessingTimeWindows,
  slidingProcessingTimeWindows,
  processingTimeSessionWindows,
  dynamicProcessingTimeSessionWindows,
  globalWindows,
  type WindowAssigner,
  type FixedWindowAssigner,
  type SessionWindowAssigner,
  type GlobalWindowAssigner,
} from './assigners.js';
export {
  eventTimeTrigger,
  processingTimeTrigger,
  endOfStreamTrigger,
  neverTrigger,
  isFire,
  isPurge,
  type Trigger,
  type TriggerContext,
  type OnMergeContext,
  type TriggerResult,
} from './triggers.js';
export { countTrigger } from './count-trigger.js';
export { continuousEventTimeTrigger, continuousProcessingTimeTrigger } from './continuous-triggers.js';
export { purgingTrigger } from './purging-trigger.js';
export { defineTrigger, defineEvictor } from './define.js';
export { countEvictor, timeEvictor, deltaEvictor } from './built-in-evictors.js';
export type { Evictor, EvictorContext, TimestampedValue } from './evictors.js';
export {
  count,
  sum,
  min,
  max,
  average,
  quantiles,
  combine,
  type WindowAggregateFunction,
  type AverageAccumulator,
  type QuantileSummary,
  type AccumulatorOf,
  type AggregateResultOf,
} from './aggregates.js';
export { QuantileSketch, type QuantileSketchData, type SketchStoreData } from './quantile-sketch.js';
export type { PaneInfo, PaneTiming } from './pane-info.js';
export { queryableWindows, type OpenWindow, type QueryableWindows } from './queryable-view.js';
// The registry a queryable view goes to (`createQueryableState` of rxflink/redux implements it).
export type { QueryableEntry, QueryableStateHandle, QueryableStateRegistry } from '../core/queryable.js';
export { GLOBAL_WINDOW, maxTimestamp, windowStart, type TimeWindow } from './windows.js';
export { StateExportError, WindowMergeError, WindowStateError } from './errors.js';
