import type { Key } from '../core/keys.js';
import type { WindowAssigner } from './assigner-types.js';
import { WindowedStream, type WindowConfig } from './windowed-stream.js';

/**
 * Groups a keyed stream into windows (Flink's `KeyedStream.window`), with Flink's semantics:
 * windows are `[start, end)`, results carry timestamp `end - 1` and are emitted before the watermark
 * that fired them; an event-time window fires when the watermark reaches `end - 1`, and again for
 * each element that arrives within `allowedLateness` after that; its state is dropped at
 * `end - 1 + allowedLateness`. Elements late for all their windows go to `lateOutput`, or are
 * counted as `droppedLate`. The end of input fires every event-time window (processing-time
 * windows still open then do not fire, as in Flink).
 *
 * Finish with `.reduce`, `.aggregate` or `.process`; each result is a record whose value is
 * `{ key, window: { start, end }, value }`. (In browser code, import it under another name, e.g.
 * `import { window as windowed }`, to keep the global `window` visible.)
 *
 * @example
 * ```ts
 * const late = new SideOutput<StreamRecord<Click, string>>('late clicks');
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(500) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(1_000), { allowedLateness: 2_000, lateOutput: late })
 *     .aggregate(combine({ clicks: count(), spent: sum((c: Click) => c.cents) })),
 *   toValues(),
 * ); // { key: '/home', window: { start: 0, end: 1000 }, value: { clicks: 3, spent: 120 } }, ...
 * ```
 */
export function window<T, K extends Key>(
  assigner: WindowAssigner<T>,
  config: WindowConfig<T, K> = {},
): WindowedStream<T, K> {
  return new WindowedStream<T, K>(assigner, config, true);
}
