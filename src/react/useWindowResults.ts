import { useCallback } from 'react';
import type { Key } from '../core/keys.js';
import type { WindowResultEntity, WindowResultsSelectors } from '../redux/window-results-slice.js';
import { useStoreSelector, type StoreLike } from './useStoreSelector.js';

/** Which results `useWindowResults` returns: all, one key's windows, each key's latest, or the top N. */
export type WindowResultsQuery<K> =
  | { readonly all: true }
  | { readonly key: K }
  | { readonly latestPerKey: true }
  | { readonly top: number };

/**
 * Window results from a window-results slice, through its memoized selectors (`slice.selectors` or
 * `slice.getSelectors(...)`), re-rendering when they change.
 *
 * @example
 * ```ts
 * const home = useWindowResults(appStore, clicksPerPage.selectors, { key: '/home' });
 * const busiest = useWindowResults(appStore, clicksPerPage.selectors, { top: 5 });
 * ```
 */
export function useWindowResults<S, K extends Key, V>(
  store: StoreLike<S>,
  selectors: WindowResultsSelectors<S, K, V>,
  query: WindowResultsQuery<K> = { all: true },
): readonly WindowResultEntity<K, V>[] {
  const key = 'key' in query ? query.key : undefined;
  const top = 'top' in query ? query.top : undefined;
  const latest = 'latestPerKey' in query;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a tuple key is compared by content (its JSON), not by identity.
  const select = useCallback(
    (state: S) => {
      if (key !== undefined) return selectors.selectByKey(state, key);
      if (top !== undefined) return selectors.selectTopN(state, top);
      return latest ? selectors.selectLatestPerKey(state) : selectors.selectAll(state);
      // A tuple key is a new array at each render: compare it by content.
    },
    [
      selectors,
      Array.isArray(key) ? JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) : key,
      top,
      latest,
    ],
  );
  return useStoreSelector(store, select);
}
