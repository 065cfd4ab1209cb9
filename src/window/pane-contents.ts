/**
 * Helpers of the pane table (pane-path.ts): a process function's elements (`process(fn)`, kept as
 * the general path keeps them) and its call; and the table's state in the general path's format:
 * which exported state the table can hold, each window's data, the keys.
 */
import type { AccExport } from './acc-export.js';
import type { WindowSetup } from './config.js';
import { clonePlain } from './aggregates.js';
import type { Pane } from './panes.js';
import type { KeyData, ProcessWindowFunction, WindowData, WindowOperatorState } from './types.js';
import { windowStart, type TimeWindow } from './windows.js';

/** How a pane keeps one key's window: an incremental function's accumulator, or the elements (ELEMENTS). */
export interface PaneContents {
  first(value: unknown, timestamp: number): unknown;
  add(acc: unknown, value: unknown, timestamp: number): unknown;
  result(acc: unknown): unknown;
}

/** A window's elements and their timestamps, for a process function (as the general path keeps them). */
export interface Elements {
  values: unknown[];
  times: number[];
}

export const ELEMENTS: PaneContents = {
  first: (value, timestamp): Elements => ({ values: [value], times: [timestamp] }),
  add: (acc, value, timestamp) => {
    (acc as Elements).values.push(value);
    (acc as Elements).times.push(timestamp);
    return acc;
  },
  result: (acc) => acc,
};

/**
 * Runs the process function of `setup` on a window's result when it fires: the elements of
 * `process(fn)`, or the one pre-aggregated value of `reduce`/`aggregate` with a process function.
 *
 * @example
 * ```ts
 * // internal: runProcess(setup, key, pane.window, result, (value) => push(value))
 * ```
 */
export function runProcess<T, K, R>(
  setup: WindowSetup<T, K, R>,
  key: K,
  window: TimeWindow,
  result: unknown,
  collect: (value: R) => void,
): void {
  const fn = setup.fn;
  const process = fn.process as ProcessWindowFunction<unknown, R, K>;
  const runtime = setup.runtime;
  process(
    fn.kind === 'process' ? (result as Elements).values : [result],
    { key, window, currentWatermark: setup.watermark, currentProcessingTime: () => runtime.processingTime.now() },
    { collect },
  );
}

/**
 * Whether the pane table (pane-path.ts) can hold the state: windows of this operator's size and alignment, with no
 * timers but the ones the table implies (end - 1 before the window fired, the cleanup time) and no
 * trigger state: not yet fired, or fired and within the allowed lateness. State exported by an
 * operator with another trigger or lateness may hold more; the general path restores that.
 *
 * @example
 * ```ts
 * // internal: if (paneTableCanHold(setup, s)) panes.restore(s); else general.restore(s)
 * ```
 */
export function paneTableCanHold<T, K, R>(setup: WindowSetup<T, K, R>, s: WindowOperatorState): boolean {
  const { size, offset } = setup;
  const process = setup.incremental === null;
  for (const k of s.keys) {
    for (const w of k.windows) {
      const maxTs = w.end - 1;
      const cleanup = setup.cleanupTime(maxTs);
      if (w.end - w.start !== size || windowStart(w.start, offset, size) !== w.start || cleanup <= s.watermark)
        return false;
      if (w.trigger !== null || w.processingTimers.length > 0) return false;
      if (process ? w.has && (w.values === null || w.times === null) : w.values !== null) return false;
      const onTime = maxTs > s.watermark;
      if (w.eventTimers.some((t) => t !== cleanup && (t !== maxTs || !onTime))) return false;
    }
  }
  return true;
}

/**
 * What the general path exports for a window of the pane table: its accumulator (or elements), its
 * timers in registration order (the cleanup timer, with lateness, unless it saturates; then the
 * trigger's at end - 1 while the window has not fired) and how many panes it fired.
 *
 * @example
 * ```ts
 * // internal: windowDataOf(setup, inc, pane.window, acc, fired)
 * ```
 */
export function windowDataOf<T, K, R>(
  setup: WindowSetup<T, K, R>,
  inc: AccExport,
  window: TimeWindow,
  acc: unknown,
  fired: number,
): WindowData {
  const elements = setup.incremental === null ? (acc as Elements) : null;
  const maxTs = window.end - 1;
  const cleanup = setup.cleanupTime(maxTs);
  const eventTimers = cleanup === Infinity || cleanup === maxTs ? [] : [cleanup];
  if (maxTs > setup.watermark) eventTimers.push(maxTs); // (a window fired early keeps its on-time timer)
  return {
    start: window.start,
    end: window.end,
    has: true,
    acc: inc.exportAcc(acc),
    values: elements === null ? null : elements.values.slice(),
    times: elements === null ? null : elements.times.slice(),
    trigger: null,
    eventTimers,
    processingTimers: [],
    ...(fired > 0 ? { panes: fired } : {}),
  };
}

/**
 * The windows of `panes` grouped by key, in the order the keys first appear; with `only`, the
 * windows of that key alone. `keyGroup` and `data` read a slot's key group and window data.
 *
 * @example
 * ```ts
 * // internal: exportPanes(panes, undefined, (pane, i) => pane.groups[i], data)
 * ```
 */
export function exportPanes<Id>(
  panes: Pane<Id>[],
  only: Id | undefined,
  keyGroup: (pane: Pane<Id>, i: number) => number,
  data: (pane: Pane<Id>, i: number) => WindowData,
): KeyData[] {
  const byId = new Map<Id, { key: unknown; keyGroup: number; windows: WindowData[] }>();
  const put = (pane: Pane<Id>, id: Id, i: number): void => {
    let k = byId.get(id);
    if (k === undefined) {
      k = { key: clonePlain(pane.keys[i], 'key'), keyGroup: keyGroup(pane, i), windows: [] };
      byId.set(id, k);
    }
    k.windows.push(data(pane, i));
  };
  for (const pane of panes) {
    if (only === undefined) for (const [id, i] of pane.slots) put(pane, id, i);
    else {
      const i = pane.slots.get(only);
      if (i !== undefined) put(pane, only, i);
    }
  }
  return [...byId.values()];
}
