/** Flink's CountTrigger: fires a window every `maxCount` elements. */
import { positiveInteger } from '../core/options.js';
import { generalPath } from './general-windows.js';
import type { OnMergeContext, Trigger, TriggerContext, TriggerResult } from './triggers.js';
import type { TimeWindow } from './windows.js';

const add = (a: number, b: number): number => a + b;

/**
 * Fires once a window holds `maxCount` elements since its last firing (Flink's CountTrigger). It
 * neither purges nor fires at the end of input; wrap it in `purgingTrigger` for count windows.
 *
 * @example
 * ```ts
 * window(globalWindows(), { trigger: purgingTrigger(countTrigger(100)) }).aggregate(sum((x: number) => x));
 * ```
 */
export function countTrigger(maxCount: number): Trigger<unknown> {
  positiveInteger('countTrigger maxCount', maxCount);
  return Object.freeze({
    name: `countTrigger(${maxCount})`,
    canMerge: true,
    generalPath,
    onElement(_value: unknown, _timestamp: number, _window: TimeWindow, ctx: TriggerContext): TriggerResult {
      const count = (ctx.getState<number>('count') ?? 0) + 1;
      if (count >= maxCount) {
        ctx.clearState('count');
        return 'FIRE';
      }
      ctx.setState('count', count);
      return 'CONTINUE';
    },
    onEventTime: () => 'CONTINUE',
    onProcessingTime: () => 'CONTINUE',
    onMerge(_window: TimeWindow, ctx: OnMergeContext): void {
      ctx.mergeState('count', add);
    },
    clear(_window: TimeWindow, ctx: TriggerContext): void {
      ctx.clearState('count');
    },
  });
}
