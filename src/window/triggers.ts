/**
 * Triggers decide when a window is evaluated (Flink's `Trigger` and its built-in implementations).
 * A trigger is called for every element added to a window and for every timer it registered; it
 * answers with a `TriggerResult`. Its state lives in the window operator, per key and window, as
 * named plain values (numbers, strings, arrays, plain objects), so it is exported with snapshots.
 * This file holds the contract and the default triggers; `countTrigger` is in count-trigger.ts, the
 * continuous triggers in continuous-triggers.ts, `purgingTrigger` in purging-trigger.ts.
 */
import type { BringsGeneralPath } from './window-path.js';
import type { TimeWindow } from './windows.js';

/** What a trigger asks the window operator to do (Flink's `TriggerResult`). */
export type TriggerResult = 'CONTINUE' | 'FIRE' | 'PURGE' | 'FIRE_AND_PURGE';

/** What a trigger can see and do, scoped to the current key and window (Flink's `Trigger.TriggerContext`). */
export interface TriggerContext {
  /** The operator's current event-time watermark (-Infinity before the first one). */
  readonly currentWatermark: number;
  /** Current processing time, from the injected scheduler. */
  currentProcessingTime(): number;
  /** Calls `onEventTime(time)` once the watermark reaches `time`; registering twice is one timer. */
  registerEventTimeTimer(time: number): void;
  /** Deletes this window's event-time timer at `time`, so it never fires; does nothing if there is none. */
  deleteEventTimeTimer(time: number): void;
  /** Calls `onProcessingTime(time)` once processing time reaches `time`. */
  registerProcessingTimeTimer(time: number): void;
  /** Deletes this window's processing-time timer at `time`, so it never fires; does nothing if there is none. */
  deleteProcessingTimeTimer(time: number): void;
  /** The trigger's state value `name` for this key and window, or undefined. Values must be plain data. */
  getState<S>(name: string): S | undefined;
  /**
   * Sets the trigger's state value `name` for this key and window. It is exported with checkpoints,
   * so it must be plain data: a checkpoint that meets anything else fails with a typed error.
   */
  setState<S>(name: string, value: S): void;
  /** Removes the trigger's state value `name` for this key and window; does nothing if it has none. */
  clearState(name: string): void;
}

/** The context of `onMerge`: the trigger can merge the state of the windows being merged. */
export interface OnMergeContext extends TriggerContext {
  /**
   * Sets state `name` of the merged window to the combination of that state in the windows being
   * merged (those that have it), like Flink's `mergePartitionedState` of a reducing state.
   */
  mergeState<S>(name: string, combine: (a: S, b: S) => S): void;
}

/**
 * A trigger (Flink's `Trigger`). `clear` must delete the timers and state the trigger created for
 * the window; it is called when the window is cleaned up or merged away. A trigger used with session
 * windows must set `canMerge` and implement `onMerge`. Pass a trigger written by hand through
 * `defineTrigger`, which brings the window path that runs triggers.
 *
 * @example
 * ```ts
 * // Fires every 100 elements, and at the end of the window.
 * const everyHundred = defineTrigger({
 *   onElement: (_v, _t, w, ctx) => {
 *     ctx.registerEventTimeTimer(w.end - 1);
 *     const n = (ctx.getState<number>('n') ?? 0) + 1;
 *     if (n >= 100) { ctx.clearState('n'); return 'FIRE'; }
 *     ctx.setState('n', n);
 *     return 'CONTINUE';
 *   },
 *   onEventTime: (time, w) => (time === w.end - 1 ? 'FIRE' : 'CONTINUE'),
 *   onProcessingTime: () => 'CONTINUE',
 *   clear: (w, ctx) => { ctx.deleteEventTimeTimer(w.end - 1); ctx.clearState('n'); },
 * });
 * ```
 */
export interface Trigger<T> extends BringsGeneralPath {
  /** A name for error messages (`custom trigger` without one); the built-in triggers set it. */
  readonly name?: string;
  /**
   * Called for each element added to `window`, after it was added, with the element's timestamp.
   * Returns what to do with the window now: `'CONTINUE'`, `'FIRE'`, `'PURGE'` or `'FIRE_AND_PURGE'`.
   */
  onElement(value: T, timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  /**
   * Called when an event-time timer of `window` fires, once the watermark reaches `time`: a timer the
   * trigger registered, or (as in Flink) the window's cleanup timer at `end - 1 + allowedLateness`.
   * Returns what to do with the window, as `onElement` does.
   */
  onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  /**
   * Called when a processing-time timer of `window` fires, once the scheduler's clock reaches
   * `time`: a timer the trigger registered, or the cleanup timer of a processing-time window.
   * Returns what to do with the window, as `onElement` does.
   */
  onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult;
  /** Whether this trigger supports merging windows (sessions). */
  readonly canMerge?: boolean;
  /**
   * Called when session windows merge into `window`, before `clear` runs for each window merged
   * away: register the merged window's timers, and combine the trigger state of the merged windows
   * with `ctx.mergeState`. Required when `canMerge` is set.
   */
  onMerge?(window: TimeWindow, ctx: OnMergeContext): void;
  /**
   * Deletes the timers and state the trigger created for `window`. Called when the window is
   * cleaned up (at its cleanup time, or at the end of input) and for each window merged away; not
   * on a `'PURGE'`, which removes only the window's contents.
   */
  clear(window: TimeWindow, ctx: TriggerContext): void;
}

const CONTINUE: TriggerResult = 'CONTINUE';
const FIRE: TriggerResult = 'FIRE';

/**
 * Whether a trigger's result fires the window.
 *
 * @example
 * ```ts
 * isFire('FIRE_AND_PURGE'); // true
 * isFire('PURGE');          // false
 * ```
 */
export function isFire(result: TriggerResult): boolean {
  return result === 'FIRE' || result === 'FIRE_AND_PURGE';
}
/**
 * Whether a trigger's result purges the window's contents.
 *
 * @example
 * ```ts
 * isPurge('FIRE_AND_PURGE'); // true
 * isPurge('FIRE');           // false
 * ```
 */
export function isPurge(result: TriggerResult): boolean {
  return result === 'PURGE' || result === 'FIRE_AND_PURGE';
}

/**
 * The default trigger of event-time windows (Flink's EventTimeTrigger): fires when the watermark
 * reaches `end - 1`, and fires at once for an element that arrives when the watermark is already
 * past that (a late element within the allowed lateness). It does not purge: a late firing holds
 * every element of the window.
 *
 * @example
 * ```ts
 * window(tumblingEventTimeWindows(1_000), { trigger: eventTimeTrigger() }).aggregate(count());
 * ```
 */
export function eventTimeTrigger(): Trigger<unknown> {
  return EVENT_TIME_TRIGGER;
}

const EVENT_TIME_TRIGGER: Trigger<unknown> = /* @__PURE__ */ Object.freeze({
  name: 'eventTimeTrigger',
  canMerge: true,
  onElement(_value: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    const max = window.end - 1;
    if (max <= ctx.currentWatermark) return FIRE;
    ctx.registerEventTimeTimer(max);
    return CONTINUE;
  },
  onEventTime(time: number, window: TimeWindow): TriggerResult {
    return time === window.end - 1 ? FIRE : CONTINUE;
  },
  onProcessingTime(): TriggerResult {
    return CONTINUE;
  },
  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    // Only register a timer if the watermark has not passed the merged window's end yet; if it has,
    // the element being added fires the window at once (Flink's EventTimeTrigger.onMerge).
    const max = window.end - 1;
    if (max > ctx.currentWatermark) ctx.registerEventTimeTimer(max);
  },
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.end - 1);
  },
});

/**
 * The default trigger of processing-time windows (Flink's ProcessingTimeTrigger): fires when
 * processing time reaches `end - 1`.
 *
 * @example
 * ```ts
 * window(tumblingProcessingTimeWindows(1_000), { trigger: processingTimeTrigger(), scheduler }).aggregate(count());
 * ```
 */
export function processingTimeTrigger(): Trigger<unknown> {
  return PROCESSING_TIME_TRIGGER;
}

const PROCESSING_TIME_TRIGGER: Trigger<unknown> = /* @__PURE__ */ Object.freeze({
  name: 'processingTimeTrigger',
  canMerge: true,
  onElement(_value: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.end - 1);
    return CONTINUE;
  },
  onEventTime(): TriggerResult {
    return CONTINUE;
  },
  onProcessingTime(): TriggerResult {
    return FIRE;
  },
  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    const max = window.end - 1;
    if (max > ctx.currentProcessingTime()) ctx.registerProcessingTimeTimer(max);
  },
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.end - 1);
  },
});

/**
 * The default trigger of `globalWindows()`: never fires (Flink's GlobalWindows.NeverTrigger).
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: neverTrigger() }); // only useful as a base for custom triggers
 * ```
 */
export function neverTrigger(): Trigger<unknown> {
  return NEVER_TRIGGER;
}

const NEVER_TRIGGER: Trigger<unknown> = /* @__PURE__ */ Object.freeze({
  name: 'neverTrigger',
  canMerge: true,
  onElement: () => CONTINUE,
  onEventTime: () => CONTINUE,
  onProcessingTime: () => CONTINUE,
  onMerge: () => undefined,
  clear: () => undefined,
});

/**
 * Fires a window once, at the end of input (Flink's GlobalWindows.EndOfStreamTrigger): it waits for
 * the watermark to reach the window's last timestamp, which for the global window happens only when
 * the end-of-stream watermark (+Infinity) arrives.
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: endOfStreamTrigger() }).aggregate(sum((o: Order) => o.total));
 * ```
 */
export function endOfStreamTrigger(): Trigger<unknown> {
  return END_OF_STREAM_TRIGGER;
}

const END_OF_STREAM_TRIGGER: Trigger<unknown> = /* @__PURE__ */ Object.freeze({
  name: 'endOfStreamTrigger',
  canMerge: true,
  onElement(_value: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
    ctx.registerEventTimeTimer(window.end - 1);
    return CONTINUE;
  },
  onEventTime: (time: number, window: TimeWindow) => (time === window.end - 1 ? FIRE : CONTINUE),
  onProcessingTime: () => CONTINUE,
  onMerge(window: TimeWindow, ctx: OnMergeContext): void {
    ctx.registerEventTimeTimer(window.end - 1);
  },
  clear(window: TimeWindow, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.end - 1);
  },
});
