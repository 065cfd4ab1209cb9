import { PIPELINE_STATUS, selectPipelineStatus, type PipelineStatus } from '../redux/pipeline-status-slice.js';
import { useStoreSelector, type StoreLike } from './useStoreSelector.js';

/**
 * The pipeline-status slice of `store` (mounted under `PIPELINE_STATUS`), re-rendering on change.
 *
 * @example
 * ```ts
 * function StatusBadge({ store }: { store: AppStore }) {
 *   const status = usePipelineStatus(store);
 *   return createElement('span', null, `${status.phase}, ${status.recordsIn} records`);
 * }
 * ```
 */
export function usePipelineStatus(store: StoreLike<{ readonly [PIPELINE_STATUS]: PipelineStatus }>): PipelineStatus {
  return useStoreSelector(store, selectPipelineStatus);
}
