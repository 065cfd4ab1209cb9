import { InvalidOptionError } from '../core/errors.js';
import { asyncIteratorPuller } from './fromAsyncIterable.js';
import type { IndexPosition } from './fromIterable.js';
import { PulledSource, checkIndexPosition, type PulledSourceOptions } from './pulled.js';

/**
 * The part of a WHATWG `ReadableStream` this source uses, declared structurally so that the core
 * needs no DOM types: browsers, Node (`node:stream/web`), Deno and Bun streams all fit.
 */
export interface ReadableStreamLike<T> {
  /**
   * Locks the stream to a new default reader and returns it; the source calls it once per
   * subscription, so a stream (which can be locked only once) feeds one subscription.
   */
  getReader(): {
    /** The next chunk, or `done` at the end of the stream; the source calls it only when the pipeline has room. */
    read(): PromiseLike<{ done: true; value?: unknown } | { done: false; value: T }>;
    /** Cancels the stream; the source calls it when the subscription ends before the stream does. */
    cancel(reason?: unknown): PromiseLike<void>;
    /** Releases the reader's lock on the stream (the WHATWG reader has it; the source does not call it). */
    releaseLock(): void;
  };
}

/**
 * The chunk type of a stream. `getReader` is overloaded on real streams (the BYOB reader), which
 * defeats plain inference, so the chunk type is read from `pipeTo`'s writable when there is one.
 */
export type ChunkOf<S> = S extends {
  /** The stream's `pipeTo`: its destination's type gives the chunk type. */
  pipeTo(destination: infer W, ...rest: never[]): unknown;
}
  ? W extends {
      /** The destination's `getWriter`. */
      getWriter(): {
        /** The writer's `write`: its parameter is the chunk type. */
        write(chunk: infer C): unknown;
      };
    }
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
