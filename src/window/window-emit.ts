/**
 * Firing one window of the general path: evaluate its function (with the evictor around it, as
 * Flink's `EvictingWindowOperator`) and push the results, as records or, with a fused `toValues`,
 * as the WindowResults the user receives.
 */
import type { Output } from '../core/operator.js';
import type { WindowSetup } from './config.js';
import type { Evictor, TimestampedValue } from './evictors.js';
import type { TriggerContext } from './trigger-context.js';
import type { ProcessWindowFunction, WindowContext, WindowFunction, WindowResult } from './types.js';
import { fold } from './window-functions.js';
import type { WindowState } from './window-state.js';

/**
 * Emits the window's result(s); nothing for a window without contents, as Flink.
 *
 * @example
 * ```ts
 * // internal: emitWindow(setup, ctx, ws, out) on a trigger's FIRE
 * ```
 */
export function emitWindow<T, K, R>(setup: WindowSetup<T, K, R>, ctx: TriggerContext, ws: WindowState, out: Output<WindowResult<K, R>, K>): void {
  const contents = ctx.contents;
  const fn = setup.fn;
  const inc = setup.incremental;
  if (inc !== null) {
    const acc = contents.acc(ws);
    if (acc === undefined) return;
    const result = inc.result(acc);
    if (fn.process === undefined) push(setup, ws, result as R, out);
    else runProcess(setup, ws, [result], fn.process as ProcessWindowFunction<unknown, R, K>, out);
    return;
  }
  const elements = contents.elements(ws);
  if (elements === undefined) return;
  let values = elements.values;
  const evictor = setup.evictor;
  if (evictor !== null && evictor.evictBefore !== undefined) values = evict(ctx, ws, evictor.evictBefore.bind(evictor));
  if (values.length > 0) {
    if (fn.kind === 'process') {
      runProcess(setup, ws, values as T[], fn.process, out);
    } else {
      const folded = fold(fn as WindowFunction<unknown, unknown, unknown>, values);
      if (fn.process === undefined) push(setup, ws, folded as R, out);
      else runProcess(setup, ws, [folded], fn.process as ProcessWindowFunction<unknown, R, K>, out);
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

function runProcess<IN, T, K, R>(setup: WindowSetup<T, K, R>, ws: WindowState, elements: readonly IN[], process: ProcessWindowFunction<IN, R, K>, out: Output<WindowResult<K, R>, K>): void {
  const runtime = setup.runtime;
  const context: WindowContext<K> = {
    key: ws.entry.key as K,
    window: ws.window,
    currentWatermark: setup.watermark,
    currentProcessingTime: () => runtime.processingTime.now(),
  };
  process(elements, context, { collect: (value: R) => push(setup, ws, value, out) });
}

function push<T, K, R>(setup: WindowSetup<T, K, R>, ws: WindowState, value: R, out: Output<WindowResult<K, R>, K>): void {
  const entry = ws.entry;
  if (setup.values !== null) {
    setup.values.push({ key: entry.key as K, window: ws.window, value });
    return;
  }
  out.push({
    kind: 'record',
    value: { key: entry.key as K, window: ws.window, value },
    timestamp: ws.maxTs,
    key: entry.key as K,
    keyGroup: entry.keyGroup,
  });
}
