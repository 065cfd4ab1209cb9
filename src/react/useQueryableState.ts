import { useSyncExternalStore } from 'react';
import type { QueryableSnapshot, QueryableView } from '../redux/queryable-state.js';

/**
 * An operator's live keyed state (a view of `createQueryableState`), re-rendering at most once per
 * frame while it changes. The snapshot is immutable and the same object between changes.
 *
 * @example
 * ```ts
 * const openWindows = useQueryableState(live.view<string, readonly OpenWindow[]>('open-windows'));
 * openWindows.get('/home')?.length; // windows still open for '/home'
 * ```
 */
export function useQueryableState<K, V>(view: QueryableView<K, V>): QueryableSnapshot<K, V> {
  return useSyncExternalStore(view.subscribe, view.getSnapshot, view.getSnapshot);
}
