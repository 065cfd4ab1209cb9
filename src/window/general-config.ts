/**
 * The checks of the options only the general path reads (docs/architecture.md §2): a trigger's
 * methods and its merging with sessions, lateness and late output with processing-time windows.
 * They come with the general path's factory (general-windows.ts), which every configuration that
 * can set them brings; the pane path's checks stay in config.ts.
 */
import { InvalidOptionError } from '../core/errors.js';
import type { WindowAssigner } from './assigner-types.js';
import type { WindowOptions } from './types.js';

/**
 * Throws InvalidOptionError naming the option the general path cannot run.
 *
 * @example
 * ```ts
 * // internal: checkGeneralOptions(globalWindows(), { trigger: {} }) throws (trigger)
 * ```
 */
export function checkGeneralOptions<T, K>(assigner: WindowAssigner<T>, options: WindowOptions<T, K>): void {
  if (!assigner.eventTime) {
    const option = options.allowedLateness ? 'allowedLateness' : options.lateOutput ? 'lateOutput' : null;
    if (option !== null) {
      const value = option === 'lateOutput' ? options.lateOutput!.name : options.allowedLateness;
      throw new InvalidOptionError(option, value, `is only valid for event-time windows, not ${assigner.name}`);
    }
  }
  const trigger = options.trigger;
  if (trigger === undefined) return;
  if (
    trigger === null ||
    typeof trigger.onElement !== 'function' ||
    typeof trigger.onEventTime !== 'function' ||
    typeof trigger.onProcessingTime !== 'function' ||
    typeof trigger.clear !== 'function'
  ) {
    throw new InvalidOptionError(
      'trigger',
      trigger,
      'must implement onElement, onEventTime, onProcessingTime and clear',
    );
  }
  if (assigner.kind === 'session' && (trigger.canMerge !== true || typeof trigger.onMerge !== 'function')) {
    throw new InvalidOptionError(
      'trigger',
      trigger.name ?? 'custom trigger',
      `cannot be used with the merging assigner ${assigner.name}: it must set canMerge and implement onMerge`,
    );
  }
}
