/**
 * The uid of a window operator in the errors its state export raises. The parts that copy window
 * state (accumulators, keys, trigger state: `clonePlain` in aggregates.ts) do not know which
 * operator they work for; the operator's export runs through `namingWindow`, which adds its uid, so
 * that a window's error names its operator as keyedProcess's does (docs/architecture.md §4).
 */
import { StateNotSerializableError } from '../state/errors.js';
import { StateExportError } from './errors.js';

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
