/**
 * Merging the namespaces of a state (Flink's `InternalMergingState.mergeNamespaces`): when sessions
 * merge, the state of the merged windows is folded into the state of the window that replaces them.
 */
import type { KeyedStateBackend } from './backend.js';
import type { Namespace, ValueState } from './state-types.js';

/**
 * Folds the current key's values of `state` in the `sources` namespaces (in that order) with
 * `combine`, clears them there, and combines the result into the value in `target` (target first),
 * as Flink merges a reducing state's namespaces. The backend's current namespace is kept.
 *
 * @example
 * ```ts
 * // internal: backend.setCurrentKey('user-1');
 * // internal: mergeNamespaces(backend, counts, '0:900', ['0:500', '400:900'], (a, b) => a + b);
 * ```
 */
export function mergeNamespaces<T>(
  backend: KeyedStateBackend,
  state: ValueState<T>,
  target: Namespace,
  sources: readonly Namespace[],
  combine: (a: T, b: T) => T,
): void {
  const current = backend.currentNamespace;
  let merged: T | undefined;
  for (const source of sources) {
    if (source === target) continue;
    backend.setCurrentNamespace(source);
    const value = state.value();
    if (value === undefined) continue;
    merged = merged === undefined ? value : combine(merged, value);
    state.clear();
  }
  if (merged !== undefined) {
    backend.setCurrentNamespace(target);
    const existing = state.value();
    state.update(existing === undefined ? merged : combine(existing, merged));
  }
  backend.setCurrentNamespace(current);
}
