import type { Readable } from 'node:stream';
import { InvalidOptionError } from '../../core/errors.js';
import type { IndexPosition } from '../../sources/fromIterable.js';
import { PulledSource, checkIndexPosition, type PulledSourceOptions, type Puller } from '../../sources/pulled.js';

/**
 * A pulled source over a Node readable stream, in paused mode: `read()` is called only when the
 * pipeline has room, so the stream's buffer fills up to its highWaterMark and Node stops reading
 * from the file, socket or process (its own backpressure). A batch holds the chunks (objects in
 * object mode, Buffers or strings otherwise) already buffered, up to `batchSize` (default 1024).
 * Unsubscribing destroys the stream. `from: { index }` skips that many chunks.
 *
 * @example
 * ```ts
 * import { fromNodeStream } from 'rxflink/node';
 * fromNodeStream(process.stdin.setEncoding('utf8')).pipe(...).subscribe();
 * ```
 */
export function fromNodeStream<T = unknown>(
  stream: Readable,
  options: PulledSourceOptions<IndexPosition> = {},
): PulledSource<T, IndexPosition> {
  if (typeof (stream as { read?: unknown } | null)?.read !== 'function')
    throw new InvalidOptionError('stream', stream, 'must be a Node Readable stream');
  const start = checkIndexPosition(options.from);
  return new PulledSource<T, IndexPosition>(() => readablePuller<T>(stream, start), {
    ...options,
    defaultBatchSize: 1024,
    defaultName: 'node stream source',
  });
}

function readablePuller<T>(stream: Readable, start: number): Puller<T, IndexPosition> {
  let index = 0;
  let ended = stream.readableEnded;
  let failure: { error: unknown } | undefined;
  let notify: (() => void) | undefined;
  const wakeUp = (): void => {
    const n = notify;
    notify = undefined;
    n?.();
  };
  const onEnd = (): void => {
    ended = true;
    wakeUp();
  };
  const onError = (error: unknown): void => {
    failure = { error };
    wakeUp();
  };
  stream.on('readable', wakeUp);
  stream.on('end', onEnd);
  stream.on('error', onError);
  let skipped = start === 0;
  return {
    async pull(max) {
      const values: T[] = [];
      for (;;) {
        if (failure) throw failure.error;
        while (values.length < max) {
          const chunk: unknown = stream.read();
          if (chunk === null) break;
          if (!skipped && index < start) {
            index++;
            continue;
          }
          skipped = true;
          values.push(chunk as T);
        }
        if (values.length > 0) {
          index += values.length;
          return { values, done: false };
        }
        if (ended || stream.readableEnded) return { values, done: true };
        await new Promise<void>((resolve) => (notify = resolve));
      }
    },
    position: () => ({ index }),
    close() {
      stream.off('readable', wakeUp);
      stream.off('end', onEnd);
      stream.off('error', onError);
      if (!stream.readableEnded) stream.destroy();
    },
  };
}
