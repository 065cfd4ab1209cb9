/**
 * Firing one window of the general path: evaluate its function (with the evictor around it, as
 * Flink's `EvictingWindowOperator`) and push the results, as records or, with a fused `toValues`,
 * as the WindowResults the user receives.
 */
import { MAX_WATERMARK } from '../core/elements.js';
import type { Output } from '../core/operator.js';
import type { WindowSetup } from './config.js';
import type { Evictor, TimestampedValue } from './evictors.js';
import { paneOf, type PaneInfo } from './pane-info.js';
import type { TriggerContext } from './trigger-context.js';
import type { ProcessWindowFunction, WindowContext, WindowFunction, WindowResult } from './types.js';
import { fold } from './window-functions.js';
import type { WindowState } from './window-state.js';

/**
 * Emits the window's result(s); nothing for a window without contents, as Flink. A firing that
 * evaluates the window is a pane (pane-info.ts): `time` is the firing's time in the window's domain
 * (a timer's time, or the current watermark or processing time), `byTimer` says a timer of that
 * domain fired it (at the window's end: the on-time pane), and `purge` that the trigger purges the
 * window after it.
 *
 * @example
 * ```ts
 * // internal: emitWindow(setup, ctx, ws, out, time, true, result === 'FIRE_AND_PURGE') on a trigger's FIRE at a timer
 * ```
 */
export function emitWindow<T, K, R>(
  setup: WindowSetup<T, K, R>,
  ctx: TriggerContext,
  ws: WindowState,
  out: Output<WindowResult<K, R>, K>,
  time: number,
  byTimer: boolean,
  purge: boolean,
): void {
  const contents = ctx.contents;
  const fn = setup.fn;
  const inc = setup.incremental;
  // The final pane: purged, cleared right after (the timer of its cleanup time), or, at the end of
  // input, the firing of the window's end (the end-of-input watermark fires a window's timers in
  // time order: earlier ones are early panes; with the default trigger nothing fires after the end).
  const last =
    purge ||
    (byTimer && time >= ws.cleanup) ||
    (setup.watermark === MAX_WATERMARK && (setup.fastTrigger || (byTimer && time >= ws.maxTs)));
  const onTime = byTimer && time === ws.maxTs;
  if (inc !== null) {
    const acc = contents.acc(ws);
    if (acc === undefined) return;
    const pane = paneOf(ws.panes++, time, ws.maxTs, onTime, last);
    const result = inc.result(acc);
    if (fn.process === undefined) push(setup, ws, result as R, pane, out);
    else runProcess(setup, ws, [result], fn.process as ProcessWindowFunction<unknown, R, K>, pane, out);
    return;
  }
  const elements = contents.elements(ws);
  if (elements === undefined) return;
  let values = elements.values;
  const evictor = setup.evictor;
  if (evictor !== null && evictor.evictBefore !== undefined) values = evict(ctx, ws, evictor.evictBefore.bind(evictor));
  if (values.length > 0) {
    const pane = paneOf(ws.panes++, time, ws.maxTs, onTime, last);
    if (fn.kind === 'process') {
      runProcess(setup, ws, values as T[], fn.process, pane, out);
    } else {
      const folded = fold(fn as WindowFunction<unknown, unknown, unknown>, values);
      if (fn.process === undefined) push(setup, ws, folded as R, pane, out);
      else runProcess(setup, ws, [folded], fn.process as ProcessWindowFunction<unknown, R, K>, pane, out);
    }
  }
  if (evictor !== null && evictor.evictAfter !== undefined) evict(ctx, ws, evictor.evictAfter.bind(evictor));
}

/** Runs an evictor over the window's kept elements; returns what is left. */
function evict<T>(ctx: TriggerContext, ws: WindowState, evictWith: NonNullable<Evictor<T>['evictBefore']>): unknown[] {
  const contents = ctx.contents;
  const { values, times } = contents.elements(ws) ?? { values: [], times: [] };
  const elements: TimestampedValue<T>[] = values.map((value, i) => ({ value: value as T, timestamp: times[i]! }));
  const kept = evictWith(elements, ws.window, ctx);
  const left = { values: kept.map((e): unknown => e.value), times: kept.map((e) => e.timestamp) };
  contents.setElements(ws, left);
  return left.values;
}

function runProcess<IN, T, K, R>(
  setup: WindowSetup<T, K, R>,
  ws: WindowState,
  elements: readonly IN[],
  process: ProcessWindowFunction<IN, R, K>,
  pane: PaneInfo,
  out: Output<WindowResult<K, R>, K>,
): void {
  const runtime = setup.runtime;
  const context: WindowContext<K> = {
    key: ws.entry.key as K,
    window: ws.window,
    currentWatermark: setup.watermark,
    currentProcessingTime: () => runtime.processingTime.now(),
  };
  process(elements, context, { collect: (value: R) => push(setup, ws, value, pane, out) });
}

function push<T, K, R>(
  setup: WindowSetup<T, K, R>,
  ws: WindowState,
  value: R,
  pane: PaneInfo,
  out: Output<WindowResult<K, R>, K>,
): void {
  const entry = ws.entry;
  if (setup.values !== null) {
    setup.values.push({ key: entry.key as K, window: ws.window, value, pane });
    return;
  }
  out.push({
    kind: 'record',
    value: { key: entry.key as K, window: ws.window, value, pane },
    timestamp: ws.maxTs,
    key: entry.key as K,
    keyGroup: entry.keyGroup,
  });
}
