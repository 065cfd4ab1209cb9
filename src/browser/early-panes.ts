/**
 * Early panes for page exit: the open windows of a window operator, read through its queryable view
 * (the operator's `queryable` option, src/core/queryable.ts), turned into window results whose
 * `pane.timing` is `EARLY` (Beam's PaneInfo: a firing before the watermark reached the window's
 * last timestamp). This fires nothing inside the operator: it reads the windows' current
 * accumulators and computes their results beside it, so the operator's own state, timers and pane
 * counters are untouched (see "what remains" in docs/telemetry.md).
 */
import { InvalidOptionError } from '../core/errors.js';
import { keyId, type Key } from '../core/keys.js';
import type { QueryableEntry } from '../core/queryable.js';
import { importAccumulator, type WindowAggregateFunction } from '../window/aggregates.js';
import type { OpenWindow } from '../window/queryable-view.js';
import type { WindowResult } from '../window/types.js';

/** Options of `earlyPanes`: `aggregate` or `result`. */
export interface EarlyPanesOptions<K, R> {
  /**
   * Each key's open windows now, from the window operator's queryable view: with rxflink/redux,
   * `() => registry.view(name).getSnapshot().entries`.
   */
  readonly openWindows: () => readonly QueryableEntry<K, readonly OpenWindow[]>[];
  /**
   * The window's aggregate function (incremental windows): the view holds each accumulator as
   * exported for snapshots (plain data: a `quantiles` sketch is its `toData()`), so it is imported
   * back (`importAccumulator`) and read with `getResult`.
   */
  readonly aggregate?: WindowAggregateFunction<never, unknown, R>;
  /** Else: the result of an open window from what the view holds (its exported accumulator, or its elements). */
  readonly result?: (window: OpenWindow) => R;
  /**
   * The operator's current event-time watermark. A window whose last timestamp (`end - 1`) it has
   * reached already fired on time (it is only kept for allowed lateness): it is not an early pane.
   */
  readonly watermark: () => number;
}

/**
 * The early panes of a window operator's open windows, for `watchPageExit`'s `earlyPanes`: each
 * window whose end the watermark has not reached becomes a `WindowResult` with
 * `pane: { timing: 'EARLY', index, isFirst, isLast: false }`. `index` counts the early panes this
 * function gave for that window before (0 on the first exit, 1 if the page is hidden again…).
 *
 * @example
 * ```ts
 * const clicks = count();
 * let lastWatermark = -Infinity; // the pipeline's watermark, kept up to date by the app
 * clicks$.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(10_000), { queryable: { registry: live, name: 'clicks' } }).aggregate(clicks),
 *   toValues(),
 * ).subscribe();
 * watchPageExit({
 *   pipelineId: 'clicks', url: '/collect',
 *   earlyPanes: earlyPanes({
 *     openWindows: () => live.view<string, readonly OpenWindow[]>('clicks').getSnapshot().entries,
 *     aggregate: clicks,
 *     watermark: () => lastWatermark,
 *   }),
 * });
 * ```
 */
export function earlyPanes<K, R>(options: EarlyPanesOptions<K, R>): () => WindowResult<K, R>[] {
  for (const name of ['openWindows', 'watermark'] as const) {
    if (typeof options?.[name] !== 'function')
      throw new InvalidOptionError(name, options?.[name], 'must be a function');
  }
  const { aggregate, result: read } = options;
  let result: (w: OpenWindow) => R;
  if (typeof aggregate?.getResult === 'function')
    result = (w) => aggregate.getResult(importAccumulator(aggregate, w.accumulator));
  else if (typeof read === 'function') result = read;
  else
    throw new InvalidOptionError(
      'aggregate',
      aggregate,
      'or `result` is required: the aggregate function of the window, or a function (window) => result',
    );
  /** Early panes given so far, by window: the next one's index. */
  const given = new Map<string, number>();
  return () => {
    const watermark = options.watermark();
    const panes: WindowResult<K, R>[] = [];
    for (const { key, value: windows } of options.openWindows()) {
      for (const w of windows) {
        if (w.end - 1 <= watermark) continue;
        const id = `${String(keyId(key as Key))}|${w.start}|${w.end}`;
        const index = given.get(id) ?? 0;
        given.set(id, index + 1);
        panes.push({
          key,
          window: { start: w.start, end: w.end },
          value: result(w),
          pane: { timing: 'EARLY', index, isFirst: index === 0, isLast: false },
        });
      }
    }
    return panes;
  };
}
