/**
 * Which firing of its window a result is, after Apache Beam's `PaneInfo` (Flink's results carry no
 * such information; a window's firings are told apart here the way Beam tells its panes apart).
 * Every `WindowResult` has one in its `pane` field.
 */

/**
 * When a pane fired, relative to the end of its window (Beam's `PaneInfo.Timing`):
 * - `EARLY`: before the window's time (the watermark, or processing time for processing-time
 *   windows) reached its last timestamp `end - 1`, e.g. by a count or continuous trigger;
 * - `ON_TIME`: the firing of the window's own end, when its time reaches `end - 1`: at most one per
 *   window;
 * - `LATE`: after that, e.g. for late elements within the allowed lateness.
 */
export type PaneTiming = 'EARLY' | 'ON_TIME' | 'LATE';

/** Which firing of its window a result comes from (Beam's `PaneInfo`). */
export interface PaneInfo {
  /** When it fired, relative to the window's end. */
  readonly timing: PaneTiming;
  /** 0 for the window's first firing that produced results, then 1, 2… */
  readonly index: number;
  /** Whether this is the window's first firing (`index === 0`). */
  readonly isFirst: boolean;
  /**
   * Whether this is the window's final firing: its state is cleared right after it (the end of its
   * allowed lateness), it is the firing of the window's end once the input has ended, or a purging
   * trigger (`FIRE_AND_PURGE`) emptied it.
   * A window whose state is cleared without firing (Flink fires nothing at the end of allowed
   * lateness) has no final pane. After a purge, the window's next firing starts again at index 0.
   */
  readonly isLast: boolean;
}

/**
 * The pane of every result of the pane table (pane-path.ts): tumbling event-time windows with the
 * default trigger and no lateness fire exactly once, on time, and are dropped at once. One frozen
 * object, shared by all its results.
 */
export const ON_TIME_ONLY_PANE: PaneInfo = Object.freeze({ timing: 'ON_TIME', index: 0, isFirst: true, isLast: true });

/**
 * The pane of a window's firing number `index`.
 *
 * @param time the time of the firing in the window's domain (event time for event-time windows): a
 *   timer's time when a timer of that domain fires it, else the current watermark or processing time.
 * @param onTime whether the firing is the window's end timer (`time === end - 1` in its domain).
 *
 * @example
 * ```ts
 * // internal: paneOf(ws.panes++, time, ws.maxTs, byTimer && time === ws.maxTs, isLast)
 * ```
 */
export function paneOf(index: number, time: number, maxTs: number, onTime: boolean, isLast: boolean): PaneInfo {
  const timing: PaneTiming = onTime ? 'ON_TIME' : time < maxTs ? 'EARLY' : 'LATE';
  if (index === 0 && isLast && timing === 'ON_TIME') return ON_TIME_ONLY_PANE;
  return { timing, index, isFirst: index === 0, isLast };
}
