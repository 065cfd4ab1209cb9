import { useCallback, useSyncExternalStore } from 'react';

/** The part of a Redux store the hooks read: works with any store (`configureStore`, `useStore()`). */
export interface StoreLike<S> {
  /** The current state. */
  getState(): S;
  /** Calls `listener` after each (batched) dispatch; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/**
 * Selects from a store and re-renders when the selected value changes (by identity). Pass
 * memoized selectors (the window-results slice's are), or a selector that returns state as stored.
 *
 * @example
 * ```ts
 * const phase = useStoreSelector(appStore, (s) => s.pipelineStatus.phase);
 * ```
 */
export function useStoreSelector<S, R>(store: StoreLike<S>, selector: (state: S) => R): R {
  const getSnapshot = useCallback(() => selector(store.getState()), [store, selector]);
  return useSyncExternalStore(store.subscribe, getSnapshot, getSnapshot);
}
