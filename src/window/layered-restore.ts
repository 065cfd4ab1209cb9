/**
 * A general path's own checkpoint restored straight into a general path (docs/checkpoints.md §10):
 * its backend reads the tables of the key groups restored, each kind of rows into its place (the
 * contents and trigger states into their state tables, the timers into the timer service, the
 * window sets into the path's keys: window-set-rows.ts), as Flink's window operator restores its
 * keyed state backend and timer service. Nothing is built per row on the way: a restore of a
 * million keys held the rows, a `WindowOperatorState` copy of them and the restored state at once
 * when it went through `layeredKeys`.
 */
import type { KeyGroupRange } from '../core/state-snapshot.js';
import type { KeyedStateExport } from '../state/snapshot-types.js';
import type { WindowSetup } from './config.js';
import type { GeneralPath } from './general-path.js';

/**
 * Restores `data` (the keyed part of a general path's checkpoint), the key groups in `range` only
 * (all without one), into the new `general` path, at `watermark`. Throws `StateRestoreError` naming
 * the uid on a malformed table or row.
 *
 * @example
 * ```ts
 * // internal: restoreLayered(setup, new GeneralPath(setup), { header, tables: stored.keyed }, { start: 0, end: 63 }, 1999)
 * ```
 */
export function restoreLayered<T, K, R>(
  setup: WindowSetup<T, K, R>,
  general: GeneralPath<T, K, R>,
  data: KeyedStateExport,
  range: KeyGroupRange | undefined,
  watermark: number,
): void {
  general.state.restore(data, range === undefined ? {} : { keyGroups: range });
  // Trigger states are declared when a trigger first reads them: declared now, so that a window's
  // state is seen by `hasState` (a window with trigger state is not dropped as empty).
  general.ctx.declareRestored();
  general.ctx.currentWatermark = watermark;
  general.timers.service.restored(watermark, setup.uid ?? undefined);
}
