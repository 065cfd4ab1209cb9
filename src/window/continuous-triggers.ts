/**
 * Flink's ContinuousEventTimeTrigger and ContinuousProcessingTimeTrigger: early firings of a window
 * every `interval` ms, aligned to multiples of it. The next firing time is trigger state
 * ('fire-time'), so it survives a checkpoint and merges with the earlier of two sessions'.
 */
import { positiveInteger } from '../core/options.js';
import { generalPath } from './general-windows.js';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './triggers.js';
import { windowStart, type TimeWindow } from './windows.js';

const min = (a: number, b: number): number => Math.min(a, b);

/**
 * The next firing after `time`, never later than the window's last timestamp, kept as the earliest
 * 'fire-time' of the window (a merged session keeps the earlier of two).
 */
function nextFiring(time: number, interval: number, window: TimeWindow, ctx: TriggerContext): number {
  const next = Math.min(time + interval, window.end - 1);
  const current = ctx.getState<number>('fire-time');
  ctx.setState('fire-time', current === undefined ? next : Math.min(current, next));
  return next;
}

/**
 * Fires the window early every `interval` ms of event time, and at its end (Flink's
 * ContinuousEventTimeTrigger). Firings are aligned to multiples of `interval` (floor-mod, so also
 * for negative timestamps) and never later than the window's last timestamp.
 *
 * @example
 * ```ts
 * window(tumblingEventTimeWindows(3_600_000), { trigger: continuousEventTimeTrigger(60_000) }).aggregate(count());
 * ```
 */
export function continuousEventTimeTrigger(interval: number): Trigger<unknown> {
  positiveInteger('continuousEventTimeTrigger interval', interval);
  const registerNext = (time: number, window: TimeWindow, ctx: TriggerContext): void => {
    ctx.registerEventTimeTimer(nextFiring(time, interval, window, ctx));
  };
  return Object.freeze({
    name: `continuousEventTimeTrigger(${interval})`,
    generalPath,
    canMerge: true,
    onElement(_value: unknown, timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
      if (window.end - 1 <= ctx.currentWatermark) return 'FIRE'; // the watermark is already past the window
      ctx.registerEventTimeTimer(window.end - 1);
      if (ctx.getState<number>('fire-time') === undefined)
        registerNext(windowStart(timestamp, 0, interval), window, ctx);
      return 'CONTINUE';
    },
    onEventTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
      if (time === window.end - 1) return 'FIRE';
      const fireTime = ctx.getState<number>('fire-time');
      if (fireTime === time) {
        ctx.clearState('fire-time');
        registerNext(time, window, ctx);
        return 'FIRE';
      }
      return 'CONTINUE';
    },
    onProcessingTime: () => 'CONTINUE',
    onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
      ctx.mergeState('fire-time', min);
      const next = ctx.getState<number>('fire-time');
      if (next !== undefined) ctx.registerEventTimeTimer(next);
    },
    clear(window: TimeWindow, ctx: TriggerContext): void {
      const fireTime = ctx.getState<number>('fire-time');
      if (fireTime !== undefined) ctx.deleteEventTimeTimer(fireTime);
      ctx.deleteEventTimeTimer(window.end - 1);
      ctx.clearState('fire-time');
    },
  });
}

/**
 * Fires the window every `interval` ms of processing time (Flink's ContinuousProcessingTimeTrigger),
 * aligned to multiples of `interval` and never later than the window's last timestamp.
 *
 * @example
 * ```ts
 * window(eventTimeSessionWindows(60_000), { trigger: continuousProcessingTimeTrigger(5_000), scheduler }).aggregate(count());
 * ```
 */
export function continuousProcessingTimeTrigger(interval: number): Trigger<unknown> {
  positiveInteger('continuousProcessingTimeTrigger interval', interval);
  const registerNext = (time: number, window: TimeWindow, ctx: TriggerContext): void => {
    ctx.registerProcessingTimeTimer(nextFiring(time, interval, window, ctx));
  };
  return Object.freeze({
    name: `continuousProcessingTimeTrigger(${interval})`,
    generalPath,
    canMerge: true,
    onElement(_value: unknown, _timestamp: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
      if (ctx.getState<number>('fire-time') === undefined) {
        registerNext(windowStart(ctx.currentProcessingTime(), 0, interval), window, ctx);
      }
      return 'CONTINUE';
    },
    onEventTime: () => 'CONTINUE',
    onProcessingTime(time: number, window: TimeWindow, ctx: TriggerContext): TriggerResult {
      if (ctx.getState<number>('fire-time') === time) {
        ctx.clearState('fire-time');
        registerNext(time, window, ctx);
        return 'FIRE';
      }
      return 'CONTINUE';
    },
    onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
      ctx.mergeState('fire-time', min);
      const next = ctx.getState<number>('fire-time');
      if (next !== undefined) ctx.registerProcessingTimeTimer(next);
    },
    clear(_window: TimeWindow, ctx: TriggerContext): void {
      const fireTime = ctx.getState<number>('fire-time');
      if (fireTime !== undefined) ctx.deleteProcessingTimeTimer(fireTime);
      ctx.clearState('fire-time');
    },
  });
}
