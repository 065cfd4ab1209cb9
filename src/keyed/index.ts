// Public API of src/keyed: keyBy and the keyed operators.
export { keyBy, KeyByOperator, type KeyByOptions } from './keyBy.js';
export { rollingReduce, RollingReduceOperator, type RollingReduceOptions, type RollingReduceSnapshot } from './rollingReduce.js';
