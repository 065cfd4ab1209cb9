/**
 * Processing time reaches the engine only through this interface (docs/architecture.md §3). The RxJS adapter
 * builds it on an injected `SchedulerLike`, so TestScheduler drives every operator in marble tests.
 */

import type { StreamElement } from './elements.js';

/** Where elements produced outside of batch processing (by a timer) are collected. */
export type Emit<O, KO> = (element: StreamElement<O, KO>) => void;

/** Processing time and timers, as the engine sees them: backed by the injected RxJS scheduler (docs/architecture.md §3). */
export interface ProcessingTimeService {
  /** The current processing time in milliseconds, from the injected scheduler. */
  now(): number;
  /**
   * Calls `onTimer` once processing time has reached `time`, in its own batch: what it pushes onto
   * `out` is emitted downstream when it returns. Returns a function that cancels the timer.
   * Each call schedules one scheduler action: an operator with many timers keeps its own queue and
   * schedules only the earliest.
   */
  schedule<O, KO>(time: number, onTimer: (out: StreamElement<O, KO>[]) => void): () => void;
}
