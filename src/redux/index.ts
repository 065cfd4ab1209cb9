// Public API of rxflink/redux (docs/redux.md): Redux Toolkit 2 as an optional peer dependency
// (docs/architecture.md §10). The core entry never imports this one.
export {
  createActionSource,
  defaultActionTime,
  actionTimestamp,
  type ActionEvent,
  type ActionSource,
  type ActionSourceOptions,
} from './action-source.js';
export { dispatchResults, type DispatchResultsOptions } from './dispatch-results.js';
export {
  isPipelineAction,
  tagPipelineAction,
  preparePipelineAction,
  PIPELINE_META,
  type PipelineActionMeta,
} from './pipeline-actions.js';
export { windowResultId, encodeResultKey } from './window-id.js';
export {
  createWindowResultsSlice,
  type WindowResultEntity,
  type WindowResultsSelectors,
  type WindowResultsSlice,
  type WindowResultsSliceOptions,
  type WindowResultsState,
  type WindowResultInput,
} from './window-results-slice.js';
export {
  pipelineStatusActions,
  pipelineStatusReducer,
  selectPipelineStatus,
  PIPELINE_STATUS,
  type FlowSample,
  type PipelinePhase,
  type PipelineStatus,
  type StateOwner,
} from './pipeline-status-slice.js';
export { pipelineStatusFeed, type PipelineStatusSources } from './pipeline-status-feed.js';
export {
  createQueryableState,
  type QueryableSnapshot,
  type QueryableState,
  type QueryableStateOptions,
  type QueryableView,
} from './queryable-state.js';
export type {
  QueryableEntry,
  QueryableOption,
  QueryableStateHandle,
  QueryableStateRegistry,
} from '../core/queryable.js';
export type { OpenWindow } from '../window/queryable-view.js';
