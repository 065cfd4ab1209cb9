/**
 * The chain's one loop (fused-window.ts, rule 3): a batch's run of values from the entry's bounded
 * strategy (EntryDownstream.run) folded straight into the pane table. Per value: its timestamp, the
 * watermark it raises, its pane (the one at hand, mostly), its key and a store into the number
 * columns, as the hand loop of bench/pipeline-baselines.ts does; no record, no array of timestamps
 * between entry and window, and no call that would box the timestamp (a double) on that path.
 *
 * The run's values are all above the entry's watermark, which the window's follows (it takes the
 * run's watermark only after the run), so none is late here; the run's panes fire after it.
 */
import { checkKey, keyId } from '../core/keys.js';
import type { Output } from '../core/operator.js';
import type { BoundedRun } from '../time/entry-downstream.js';
import type { AggregateColumns } from './aggregate-columns.js';
import { FUSED_KEY_GROUP } from './config.js';
import type { Pane, PaneTable } from './panes.js';
import type { WindowResult } from './types.js';
import type { Id } from './window-state.js';

/** What the loop hands PanePath for the rest: a new key or accumulators that are not columns, and late values. */
export interface PaneIntake<T, K, R> {
  add(pane: Pane<Id>, id: Id, key: unknown, keyGroup: number, value: T, timestamp: number): void;
  lateValue(value: T, timestamp: number, selectKey: (value: T) => K, out: Output<WindowResult<K, R>, K>): void;
}

/**
 * Folds `values` from `from` on into `table` while they form a run of `run`'s (see
 * EntryDownstream.run); returns the index of the first value not taken, or `values.length`.
 *
 * @example
 * ```ts
 * // internal: const next = paneRun(path, table, columns, setup.watermark, values, 0, run, selectKey, out);
 * ```
 */
export function paneRun<T, K, R>(
  path: PaneIntake<T, K, R>,
  table: PaneTable<Id>,
  columns: AggregateColumns | null,
  windowWatermark: number,
  values: readonly T[],
  from: number,
  run: BoundedRun<T>,
  selectKey: (value: T) => K,
  out: Output<WindowResult<K, R>, K>,
): number {
  const { extract, bound } = run;
  let max = run.max;
  let watermark = run.watermark;
  let pane: Pane<Id> | null = null;
  let start = 0;
  let end = -Infinity;
  let i = from;
  for (; i < values.length; i++) {
    const value = values[i]!;
    // Kept where the run stops only: a variable that outlived the loop (undefined or a double) held
    // a boxed number per value, 18 bytes per value of the dense workload's garbage.
    const ts: unknown = extract(value);
    if (!(Number.isSafeInteger(ts) && (ts as number) > watermark)) {
      run.stopTs = ts;
      break;
    }
    const t = ts as number;
    if (t > max) {
      if (!Number.isSafeInteger(t - bound - 1)) {
        run.stopTs = ts;
        break;
      }
      max = t;
      if (t - bound - 1 > watermark) watermark = t - bound - 1;
    }
    if (!(t >= start && t < end)) {
      pane = table.paneFor(t, windowWatermark);
      if (pane === null) {
        // (Only where the window's watermark is ahead of the entry's, as two states restored apart.)
        path.lateValue(value, t, selectKey, out);
        continue;
      }
      start = pane.window.start;
      end = pane.window.end;
    }
    foldValue(path, table, columns, pane!, value, t, selectKey);
  }
  run.max = max;
  run.watermark = watermark;
  return i;
}

/**
 * Folds `value` at `t` into its key's window in `pane`, a pane of `table`: on number columns with one
 * lookup (the hand loop's), a new key's slot filled before it is taken (as PanePath.add does, so a
 * selector that throws leaves no half-made window); anything else through PanePath.add. A fused
 * keyBy keeps no key group.
 *
 * @example
 * ```ts
 * // internal: foldValue(path, table, columns, pane, value, timestamp, selectKey);
 * ```
 */
export function foldValue<T, K, R>(
  path: PaneIntake<T, K, R>,
  table: PaneTable<Id>,
  columns: AggregateColumns | null,
  pane: Pane<Id>,
  value: T,
  t: number,
  selectKey: (value: T) => K,
): void {
  const key = checkKey(selectKey(value), value);
  const id = keyId(key);
  if (columns === null) {
    path.add(pane, id, key, FUSED_KEY_GROUP, value, t);
    return;
  }
  const slot = pane.slots.get(id);
  if (slot !== undefined) {
    pane.dirty[slot] = 1; // (a store past the end, for a slot new since the export, is ignored)
    columns.add(pane.columns, slot, value);
  } else {
    // (The table's pane, not a late one: it ends after the window's watermark.)
    columns.first(pane.columns, pane.length, value);
    table.addSlot(id, key, pane);
  }
}
