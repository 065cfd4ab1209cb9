import { InvalidOptionError } from '../core/errors.js';
import type { Key } from '../core/keys.js';
import { globalWindows } from './assigners.js';
import { countEvictor } from './evictors.js';
import { countTrigger, purgingTrigger } from './triggers.js';
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
export function countWindow<T, K extends Key>(size: number, slide?: number, config: Omit<WindowConfig<T, K>, 'trigger' | 'evictor'> = {}): WindowedStream<T, K> {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) throw new InvalidOptionError('countWindow size', size, 'must be a positive integer');
  if (slide === undefined) return new WindowedStream<T, K>(globalWindows(), { ...config, trigger: purgingTrigger(countTrigger(size)) }, true);
  if (typeof slide !== 'number' || !Number.isSafeInteger(slide) || slide <= 0) throw new InvalidOptionError('countWindow slide', slide, 'must be a positive integer');
  return new WindowedStream<T, K>(globalWindows(), { ...config, trigger: countTrigger(slide), evictor: countEvictor(size) }, true);
}
