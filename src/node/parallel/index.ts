export { nodeWorkers, type NodeWorkersOptions } from './node-workers.js';
