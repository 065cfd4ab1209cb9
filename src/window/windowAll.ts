import type { WindowAssigner } from './assigner-types.js';
import { WindowedStream, type WindowConfig } from './windowed-stream.js';

/**
 * Windows over a stream that is not keyed (Flink's `DataStream.windowAll`): every record goes to
 * the same windows, and results carry the key `undefined`. Same options and semantics as `window`.
 *
 * @example
 * ```ts
 * readings$.pipe(withEventTime(...), windowAll(tumblingEventTimeWindows(60_000)).aggregate(max((r: Reading) => r.celsius)), toValues());
 * ```
 */
export function windowAll<T>(
  assigner: WindowAssigner<T>,
  config: WindowConfig<T, undefined> = {},
): WindowedStream<T, undefined> {
  return new WindowedStream<T, undefined>(assigner, config, false);
}
