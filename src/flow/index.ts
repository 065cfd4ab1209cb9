// Public API of src/flow: demand across async boundaries, async map, metrics (docs/architecture.md §5).
export { FlowController, Upstreams, currentFlow, deliver, type FlowStage } from './demand.js';
export { FlowMonitor, StageStats, type FlowMetrics, type FlowMonitorOptions, type StageMetrics } from './monitor.js';
export { BufferOverflowError, AsyncTimeoutError, AsyncRequestError } from './errors.js';
export { AsyncStage } from './async-stage.js';
export { asyncStageConfig, type AsyncStageConfig, type AsyncStageOptions } from './async-config.js';
export type { AsyncJobSpec } from './async-job.js';
export { asyncMap, type AsyncMapOptions } from './asyncMap.js';
export { asyncMapValues } from './asyncMapValues.js';
