/**
 * A general path's own checkpoint restored straight into a general path (docs/checkpoints.md §10):
 * its backend reads the tables of the key groups restored, each kind of rows into its place (the
 * contents and trigger states into their state tables, the timers into the timer service, the
 * window sets into the path's keys: window-set-rows.ts), as Flink's window operator restores its
 * keyed state backend and timer service. Nothing is built per row on the way: a restore of a
 * million keys held the rows, a `WindowOperatorState` copy of them and the restored state at once
 * when it went through `layeredKeys`.
 */
import { keyId } from '../core/keys.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import { StateRestoreError } from '../state/errors.js';
import { keyGroupTables } from '../state/keyed-export.js';
import type { KeyedStateExport } from '../state/snapshot-types.js';
import { stateRows } from '../state/table-rows.js';
import type { WindowSetup } from './config.js';
import type { GeneralPath } from './general-path.js';
import { CONTENTS_STATE } from './window-contents.js';
import type { KeyEntry } from './window-state.js';

const CONTENTS_ROWS = stateRows(CONTENTS_STATE);
const TRIGGER_ROWS = stateRows('trigger:');

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
  checkWindowsKnown(general, data, range, setup.uid ?? undefined);
}

/**
 * Rejects contents or trigger state in a window that its key's window set lacks: such state would
 * never fire nor be cleared (a damaged or hand-edited checkpoint). One lookup per row, after the
 * window sets are restored: nothing is built per row.
 */
function checkWindowsKnown<T, K, R>(
  general: GeneralPath<T, K, R>,
  data: KeyedStateExport,
  range: KeyGroupRange | undefined,
  uid: string | undefined,
): void {
  for (const { name, keys, rows } of keyGroupTables(data, range, uid)) {
    if (name !== CONTENTS_ROWS && !name.startsWith(TRIGGER_ROWS)) continue;
    for (let i = 0; i < keys.length; i++) {
      const row = rows[i];
      if (!Array.isArray(row)) continue; // (the state layer rejected malformed rows already)
      const entry = general.keys.get(keyId(keys[i]!));
      for (let j = 0; j < row.length; j += 2) {
        if (entry !== undefined && hasWindow(entry, row[j])) continue;
        const where = `key ${JSON.stringify(keys[i])} in window ${JSON.stringify(row[j])}`;
        throw new StateRestoreError(uid, `${name} of ${where}, which its window set lacks`);
      }
    }
  }
}

function hasWindow(entry: KeyEntry, ns: unknown): boolean {
  if (entry.list !== null) return entry.list.some((ws) => ws.ns === ns);
  return typeof ns === 'number' && entry.find(ns) !== null;
}
