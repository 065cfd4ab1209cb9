import { InvalidOptionError } from '../core/errors.js';
import { asyncIteratorPuller } from './fromAsyncIterable.js';
import type { IndexPosition } from './fromIterable.js';
import { PulledSource, checkIndexPosition, type PulledSourceOptions } from './pulled.js';

/**
 * The part of a WHATWG `ReadableStream` this source uses, declared structurally so that the core
 * needs no DOM types: browsers, Node (`node:stream/web`), Deno and Bun streams all fit.
 */
export interface ReadableStreamLike<T> {
  getReader(): {
    read(): PromiseLike<{ done: true; value?: unknown } | { done: false; value: T }>;
    cancel(reason?: unknown): PromiseLike<void>;
    releaseLock(): void;
  };
}

/**
 * The chunk type of a stream. `getReader` is overloaded on real streams (the BYOB reader), which
 * defeats plain inference, so the chunk type is read from `pipeTo`'s writable when there is one.
 */
export type ChunkOf<S> = S extends { pipeTo(destination: infer W, ...rest: never[]): unknown }
  ? W extends { getWriter(): { write(chunk: infer C): unknown } }
    ? Exclude<C, undefined>
    : ReadChunkOf<S>
  : ReadChunkOf<S>;
type ReadChunkOf<S> = S extends ReadableStreamLike<infer T> ? T : never;

/**
 * A pulled source over a WHATWG ReadableStream: each chunk is one value, and `read()` is called only
 * when the pipeline has room, so the stream's own queue (its highWaterMark) fills and its underlying
 * source is asked to pause, exactly as the Streams spec intends. Unsubscribing cancels the stream.
 * Batches of up to `batchSize` chunks (default 1); `from: { index }` skips that many chunks.
 *
 * @example
 * ```ts
 * // Text chunks end anywhere, mid-line included: split them into lines first.
 * const splitLines = (): TransformStream<string, string> => {
 *   let rest = '';
 *   return new TransformStream({
 *     transform(text, out) {
 *       const lines = (rest + text).split('\n');
 *       rest = lines.pop()!;
 *       for (const line of lines) out.enqueue(line);
 *     },
 *     flush(out) { if (rest !== '') out.enqueue(rest); },
 *   });
 * };
 * const response = await fetch('/clicks.ndjson');
 * // The download pauses while the database is busy: the stream is read only when the sink has room.
 * fromReadableStream(response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines()), { batchSize: 500 })
 *   .pipe(asyncSinkValues((lines) => db.insertMany(lines.map((line) => JSON.parse(line) as Click))))
 *   .subscribe();
 * ```
 */
export function fromReadableStream<S extends ReadableStreamLike<unknown>>(
  stream: S,
  options: PulledSourceOptions<IndexPosition> = {},
): PulledSource<ChunkOf<S>, IndexPosition> {
  type T = ChunkOf<S>;
  if (typeof (stream as { getReader?: unknown } | null)?.getReader !== 'function') {
    throw new InvalidOptionError('stream', stream, 'must be a ReadableStream (an object with getReader())');
  }
  const start = checkIndexPosition(options.from);
  return new PulledSource<T, IndexPosition>(
    () => {
      const reader = stream.getReader();
      let done = false;
      const iterator: AsyncIterator<T> = {
        async next() {
          const r = await reader.read();
          if (r.done) {
            done = true;
            return { done: true, value: undefined };
          }
          return { done: false, value: r.value as T };
        },
      };
      return asyncIteratorPuller(iterator, start, () => {
        if (!done) void Promise.resolve(reader.cancel()).catch(() => undefined);
      });
    },
    { ...options, defaultBatchSize: 1, defaultName: 'readable stream source' },
  );
}
