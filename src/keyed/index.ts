// Public API of src/keyed: keyBy and the keyed operators.
export { keyBy, KeyByOperator, type KeyByOptions } from './keyBy.js';
export {
  rollingReduce,
  RollingReduceOperator,
  type RollingReduceOptions,
  type RollingReduceSnapshot,
} from './rollingReduce.js';
export {
  keyedProcess,
  KeyedProcessOperator,
  type KeyedProcessFunction,
  type KeyedProcessOptions,
  type KeyedProcessSnapshot,
} from './keyedProcess.js';
export { processValues, ProcessOperator, type ProcessFunction } from './process.js';
export {
  ProcessContextClosedError,
  type KeyedProcessContext,
  type OnTimerContext,
  type ProcessContext,
  type SideOutputTarget,
  type TimeDomain,
  type TimerService,
} from './process-context.js';
