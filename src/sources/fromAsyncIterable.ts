import type { IndexPosition } from './fromIterable.js';
import { PulledSource, checkIndexPosition, type PulledSourceOptions, type Puller } from './pulled.js';

/**
 * A pulled source over an async iterable (an async generator, a Node stream, a paged API): calls
 * `next()` only when the pipeline has room, so a slow consumer never lets values pile up. A batch
 * holds up to `batchSize` values (default 1): it is emitted once that many have arrived or the
 * iterable ends, so keep the default for live data where latency matters and raise it for bulk
 * reads. `from: { index }` resumes by skipping that many values.
 *
 * @example
 * ```ts
 * // The rows of a paged API: the next page is fetched only when the database has taken the last ones.
 * async function* allRows() {
 *   for (let p = 0; ; p++) {
 *     const page = await fetchPage(p);
 *     if (page.length === 0) return;
 *     yield* page;
 *   }
 * }
 * fromAsyncIterable(allRows(), { batchSize: 100 }).pipe(asyncSinkValues((batch) => db.insertMany(batch))).subscribe();
 * ```
 */
export function fromAsyncIterable<T>(
  iterable: AsyncIterable<T>,
  options: PulledSourceOptions<IndexPosition> = {},
): PulledSource<T, IndexPosition> {
  const start = checkIndexPosition(options.from);
  return new PulledSource<T, IndexPosition>(() => asyncIteratorPuller(iterable[Symbol.asyncIterator](), start), {
    ...options,
    defaultBatchSize: 1,
    defaultName: 'async iterable source',
  });
}

/** Reads an async iterator, skipping `start` values first. Shared by the stream sources. */
export function asyncIteratorPuller<T>(
  iterator: AsyncIterator<T>,
  start: number,
  onClose?: () => void,
): Puller<T, IndexPosition> {
  let index = 0;
  let skipped = start === 0;
  let finished = false;
  return {
    async pull(max) {
      while (!skipped && index < start) {
        const step = await iterator.next();
        if (step.done) {
          finished = true;
          return { values: [], done: true };
        }
        index++;
      }
      skipped = true;
      const values: T[] = [];
      while (values.length < max) {
        const step = await iterator.next();
        if (step.done) {
          finished = true;
          break;
        }
        values.push(step.value);
      }
      index += values.length;
      return { values, done: finished };
    },
    position: () => ({ index }),
    close() {
      if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
      onClose?.();
    },
  };
}
