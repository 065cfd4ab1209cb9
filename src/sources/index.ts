// Public API of src/sources: pulled sources (docs/architecture.md §5) and the bounded buffer for push-only inputs.
export { PulledSource, type PulledSourceOptions, type Puller, type PullResult } from './pulled.js';
export { fromIterable, type IndexPosition } from './fromIterable.js';
export { fromAsyncIterable } from './fromAsyncIterable.js';
export { fromReadableStream, type ChunkOf, type ReadableStreamLike } from './fromReadableStream.js';
export { fromPush, PushSource, type FromPushOptions, type OverflowPolicy } from './fromPush.js';
