/** Flink's PurgingTrigger: any trigger, with every firing turned into fire-and-purge. */
import { generalPath } from './general-windows.js';
import type { Trigger, TriggerResult } from './triggers.js';

/**
 * Turns every firing of `trigger` into fire-and-purge (Flink's PurgingTrigger): the window's contents
 * are cleared after each evaluation, so each firing sees only the elements since the last one.
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: purgingTrigger(countTrigger(3)) }).aggregate(count());
 * ```
 */
export function purgingTrigger<T>(trigger: Trigger<T>): Trigger<T> {
  const purge = (r: TriggerResult): TriggerResult => (r === 'FIRE' ? 'FIRE_AND_PURGE' : r);
  const merged: Trigger<T> = {
    name: `purgingTrigger(${trigger.name ?? 'custom'})`,
    canMerge: trigger.canMerge === true,
    generalPath,
    onElement: (value, timestamp, window, ctx) => purge(trigger.onElement(value, timestamp, window, ctx)),
    onEventTime: (time, window, ctx) => purge(trigger.onEventTime(time, window, ctx)),
    onProcessingTime: (time, window, ctx) => purge(trigger.onProcessingTime(time, window, ctx)),
    clear: (window, ctx) => trigger.clear(window, ctx),
  };
  if (trigger.onMerge) {
    const onMerge = trigger.onMerge.bind(trigger);
    return Object.freeze({ ...merged, onMerge });
  }
  return Object.freeze(merged);
}
