import type { Key } from '../core/keys.js';
import { positiveInteger } from '../core/options.js';
import { globalWindows } from './assigners.js';
import { countEvictor } from './built-in-evictors.js';
import { countTrigger } from './count-trigger.js';
import { purgingTrigger } from './purging-trigger.js';
import { WindowedStream, type WindowConfig } from './windowed-stream.js';

/**
 * Count windows per key (Flink's `KeyedStream.countWindow`): `countWindow(n)` emits every `n`
 * elements of a key (global window + purging count trigger); `countWindow(n, slide)` emits the last
 * `n` elements every `slide` elements (global window + count trigger + count evictor). A partial
 * window is never emitted, not even at the end of input (unlike RxJS `bufferCount`).
 *
 * @example
 * ```ts
 * scores$.pipe(withEventTime(...), keyBy((s) => s.player), countWindow(10).aggregate(average((s: Score) => s.points)), toValues());
 * ```
 */
export function countWindow<T, K extends Key>(
  size: number,
  slide?: number,
  config: Omit<WindowConfig<T, K>, 'trigger' | 'evictor'> = {},
): WindowedStream<T, K> {
  positiveInteger('countWindow size', size);
  if (slide === undefined)
    return new WindowedStream<T, K>(globalWindows(), { ...config, trigger: purgingTrigger(countTrigger(size)) }, true);
  positiveInteger('countWindow slide', slide);
  return new WindowedStream<T, K>(
    globalWindows(),
    { ...config, trigger: countTrigger(slide), evictor: countEvictor(size) },
    true,
  );
}
