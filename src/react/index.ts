// Public API of rxflink/react (docs/redux.md): thin hooks over rxflink/redux, React 18 or 19 as an
// optional peer dependency (docs/architecture.md §10). No react-redux needed: hooks take the store.
export { useStoreSelector, type StoreLike } from './useStoreSelector.js';
export { usePipelineStatus } from './usePipelineStatus.js';
export { useWindowResults, type WindowResultsQuery } from './useWindowResults.js';
export { useQueryableState } from './useQueryableState.js';
