/**
 * The uid of a window operator in the errors its state export raises. The parts that copy window
 * state (accumulators, keys, trigger state: `clonePlain` in aggregates.ts) do not know which
 * operator they work for; the operator's export runs through `namingWindow`, which adds its uid, so
 * that a window's error names its operator as keyedProcess's does (docs/architecture.md §4).
 */
import { StateNotSerializableError } from '../state/errors.js';
import { StateExportError } from './errors.js';
import { exportPaneKeys } from './pane-state.js';
import type { WindowStateAccess } from './state-access.js';
import type { WindowOperatorState } from './types.js';

/**
 * Runs `exportState`; a `StateNotSerializableError` or `StateExportError` it raises is raised again
 * with the operator's `uid`.
 *
 * @example
 * ```ts
 * snapshotState() { return namingWindow(this.#uid, () => this.#exportState()); }
 * ```
 */
export function namingWindow<S>(uid: string | null, exportState: () => S): S {
  try {
    return exportState();
  } catch (error) {
    if (uid === null) throw error;
    if (error instanceof StateNotSerializableError && typeof error.where === 'string') {
      throw new StateNotSerializableError({ uid, state: error.where }, error.path, error.value, error.reason);
    }
    if (error instanceof StateExportError && error.uid === undefined)
      throw new StateExportError(error.what, error.value, uid);
    throw error;
  }
}

/**
 * The windows in the plain format (WindowOperatorState, version 1): what `snapshotState` returns and
 * the queryable view reads. Light (each path exports its own keys): the key-grouped rows, their
 * restore and validation are in window-codec.ts, which comes with checkpoints.
 *
 * @example
 * ```ts
 * // internal: exportWindowState(operator.stateAccess) // { version: 1, uid, assigner, watermark, keys }
 * ```
 */
export function exportWindowState(a: WindowStateAccess): WindowOperatorState {
  const setup = a.setup;
  return namingWindow(setup.uid, () => {
    const keys = a.panes !== null ? exportPaneKeys(a.panes.access, undefined) : [];
    if (a.general !== null) keys.push(...a.general.exportKeys());
    return { version: 1, uid: setup.uid, assigner: setup.assigner.name, watermark: setup.watermark, keys };
  });
}
