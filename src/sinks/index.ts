// Public API of src/sinks: async sinks with bounded buffers and demand (docs/architecture.md §5).
export { asyncSink, type AsyncSinkOptions } from './asyncSink.js';
export { asyncSinkValues } from './asyncSinkValues.js';
export { CommitError, exactlyOnceSink, type ExactlyOnceSinkOptions } from './exactlyOnceSink.js';
