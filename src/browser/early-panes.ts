/**
 * Early panes for page exit: the window operators of the pipeline fire their open windows
 * themselves, as EARLY panes (Beam's PaneInfo: a firing before the watermark reached the window's
 * last timestamp), on the fire-early control element (src/window/fire-early.ts) this sends in-band.
 * The windows keep their contents (a trigger's FIRE without PURGE), and each window counts the
 * pane: its on-time firing, when the page comes back, follows with the next index and
 * `isFirst: false` (docs/telemetry.md, "Early panes").
 */
import type { ControlElement } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { FIRE_EARLY_ELEMENT, fireEarlyBatch } from '../window/fire-early.js';

/** Options of `earlyPanes`. */
export interface EarlyPanesOptions<R> {
  /**
   * Puts the fire-early control element into the pipeline, ahead of its window operator: a source
   * of values emits `batch` (a marker batch, which the entry operator turns into the element in
   * place: `(_, batch) => clicks.next(batch as never)`); a stream of elements takes `element`.
   */
  readonly send: (element: ControlElement, batch: readonly never[]) => void;
  /**
   * The EARLY results the firing delivered, taken from where the app collects them (e.g. the
   * subscriber keeps the results whose `pane.timing` is `'EARLY'` apart). A pipeline that runs
   * synchronously (RxJS operators, no asynchronous stage between source and subscriber) has
   * delivered them by the time `send` returns.
   */
  readonly take: () => readonly R[];
}

/**
 * The early panes of a pipeline's open windows, for `watchPageExit`'s `earlyPanes`: each call sends
 * the fire-early control element and returns what the window operators fired, each window once,
 * as `{ key, window, value, pane: { timing: 'EARLY', index, isFirst, isLast: false } }`.
 *
 * @example
 * ```ts
 * const clicks = new Subject<{ page: string; at: number }>();
 * const early: WindowResult<string, number>[] = [];
 * clicks.pipe(
 *   withEventTime({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(10_000)).aggregate(count()),
 *   toValues(),
 * ).subscribe((r) => { if (r.pane.timing === 'EARLY') early.push(r); });
 * watchPageExit({
 *   pipelineId: 'clicks', url: '/collect',
 *   earlyPanes: earlyPanes({ send: (_, batch) => clicks.next(batch as never), take: () => early.splice(0) }),
 * });
 * ```
 */
export function earlyPanes<R>(options: EarlyPanesOptions<R>): () => readonly R[] {
  for (const name of ['send', 'take'] as const) {
    if (typeof options?.[name] !== 'function')
      throw new InvalidOptionError(name, options?.[name], 'must be a function');
  }
  const { send, take } = options;
  return () => {
    send(FIRE_EARLY_ELEMENT, fireEarlyBatch<never>());
    return take();
  };
}
