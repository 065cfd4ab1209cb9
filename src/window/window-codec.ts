/**
 * The window operator's state in and out of checkpoints, through the narrow view the operator opens
 * (`WindowStateAccess`, operator.ts). The checkpoint runtime holds this codec (src/checkpoint/
 * state-codecs.ts) and `WindowOperator` of rxflink/engine (snapshotting-operator.ts) calls it, so
 * that a bundle of `window(...)` without checkpoints leaves out the pane tables, rows, migration and
 * validation this file links (docs/architecture.md §4). The pane path exports pane tables only
 * (fired panes, firing counts and elements included), so a checkpoint writes no window rows;
 * a restore still reads them (older checkpoints, the general path's conversions).
 */
import type { PendingCheckpoint, StateCodec } from '../core/checkpointing.js';
import type { OperatorStateSnapshot, RestoreCheckpointOptions } from '../core/state-snapshot.js';
import { WindowStateError } from './errors.js';
import type { GeneralPathFactory, GeneralWindows } from './general-windows.js';
import type { WindowStateAccess } from './state-access.js';
import { PaneExporter, type PaneColumns } from './pane-rows.js';
import { paneCanHold, paneRows, restorePane } from './pane-state.js';
import { validatePaneColumns, validateWindowState } from './restore-validation.js';
import { namingWindow } from './state-export.js';
import {
  layeredTables,
  restoredWindowState,
  windowCheckpointState,
  type WindowCheckpointState,
} from './window-rows.js';

/**
 * The windows in the key-grouped format: the pane path's pane tables (pane-rows.ts), the general
 * path's tables of its keyed state layer; with `checkpoint.incremental`, only the keys whose
 * windows changed since the last checkpoint.
 *
 * @example
 * ```ts
 * // internal: checkpoint.report(uid, snapshotWindows(operator.stateAccess, checkpoint), 'Window')
 * ```
 */
export function snapshotWindows(a: WindowStateAccess, checkpoint: PendingCheckpoint): OperatorStateSnapshot {
  const setup = a.setup;
  return namingWindow(setup.uid, () => {
    const panes = a.panes;
    // The general path checkpoints the tables of its keyed state layer (window-set-rows.ts).
    const layered = panes === null ? a.general!.checkpoint(checkpoint.incremental) : undefined;
    a.exports ??= { panes: new PaneExporter() };
    const keyed = layered?.tables ?? a.exports.panes.export(paneRows(panes!.access), checkpoint.incremental);
    const elements = panes !== null && setup.incremental === null;
    const state = windowCheckpointState(setup.uid, setup.assigner.name, setup.watermark, layered?.header, elements);
    return { stateVersion: 0, state, keyed };
  });
}

/**
 * Restores from `snapshotWindows` or from v1 (`exportWindowState`); with `options.keyGroups`, only
 * the keys of those groups.
 *
 * @example
 * ```ts
 * // internal: restoreWindows(operator.stateAccess, stored, { keyGroups: { start: 0, end: 63 } })
 * ```
 */
export function restoreWindowSnapshot(
  a: WindowStateAccess,
  snapshot: OperatorStateSnapshot,
  options: RestoreCheckpointOptions = {},
): void {
  const setup = a.setup;
  const factory = setup.generalPath as GeneralPathFactory | null;
  const layered = layeredTables(snapshot);
  if (layered !== undefined && a.panes === null && setup.keyed) {
    // A general path's own tables into the general path: straight into its layer (layered-restore.ts).
    const checked = { ...(snapshot.state as WindowCheckpointState), version: 1, keys: [] };
    const { watermark } = validateWindowState(checked, setup.uid, setup.assigner.name, true);
    a.general!.restoreTables(layered, options.keyGroups, watermark);
    forgetExports(a);
    setup.watermark = watermark;
    return;
  }
  // The general path that reads the general path's tables when the operator has none: made once,
  // it then holds the restored state if the pane table cannot.
  let built: GeneralWindows<unknown, unknown, unknown> | undefined;
  const general = () => {
    built ??= a.general ?? factory?.(setup);
    return built;
  };
  const { state, panes } = restoredWindowState(snapshot, options.keyGroups, setup.uid, setup.keyed, general);
  restoreWindowState(a, state, panes, built);
}

/** Forgets what the last checkpoint exported: the next one is full (after a restore). */
function forgetExports(a: WindowStateAccess): void {
  a.exports?.panes.reset();
}

/**
 * Restores validated state and pane tables (pane-rows.ts): on the pane path when it can hold them,
 * else on the general path. The operator keeps its state when the restore fails.
 *
 * @example
 * ```ts
 * // internal: restoreWindowState(operator.stateAccess, exportWindowState(other.stateAccess))
 * ```
 */
export function restoreWindowState(
  a: WindowStateAccess,
  state: unknown,
  paneColumns: readonly PaneColumns[] = [],
  built?: GeneralWindows<unknown, unknown, unknown>,
): void {
  const setup = a.setup;
  const s = validateWindowState(state, setup.uid, setup.assigner.name, setup.keyed);
  validatePaneColumns(paneColumns, setup.uid, setup.keyed);
  const panes = a.panes;
  const paned = panes !== null && paneCanHold(panes.access, s, paneColumns);
  // Checked before anything is replaced: the operator keeps its state when the restore fails.
  if (!paned && a.general === null && setup.generalPath === null) {
    throw new WindowStateError(
      'the state holds windows the pane table cannot hold (from another trigger, evictor, assigner or lateness), and this operator was built without the general window path: restore it into an operator configured as the one that exported it',
      setup.uid ?? undefined,
      'state.keys',
    );
  }
  forgetExports(a);
  a.general?.clear();
  setup.watermark = s.watermark;
  if (panes !== null) {
    panes.clear();
    if (paned) {
      restorePane(panes.access, s, paneColumns);
      return;
    }
  }
  const general = toGeneralPath(a, built); // this operator keeps the general path from now on
  general.restore(s, paneColumns);
}

/**
 * Leaves the pane table for good and returns the general path: `restored` when given (the one
 * before is disposed), else the operator's, made now when there is none.
 */
function toGeneralPath(
  a: WindowStateAccess,
  restored: GeneralWindows<unknown, unknown, unknown> | undefined,
): GeneralWindows<unknown, unknown, unknown> {
  a.panes = null;
  if (restored !== undefined && restored !== a.general) {
    a.general?.dispose();
    a.general = restored;
  }
  a.general ??= (a.setup.generalPath as unknown as GeneralPathFactory)(a.setup);
  return a.general;
}

/**
 * The codec of window operators, by `StateAccess.kind` 'window': what the checkpoint runtime holds.
 *
 * @example
 * ```ts
 * // internal: const codecs: StateCodecs = { kinds: { window: WINDOW_CODEC }, snapshot, restore };
 * ```
 */
export const WINDOW_CODEC: StateCodec<WindowStateAccess> = {
  snapshot: snapshotWindows,
  restore: restoreWindowSnapshot,
};
