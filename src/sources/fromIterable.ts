import { PulledSource, checkIndexPosition, type PulledSourceOptions, type Puller } from './pulled.js';

/** Position of an iterable-like source: how many values were emitted (the next value's index). */
export interface IndexPosition {
  readonly index: number;
}

/**
 * A pulled source over an array or any iterable: emits batches of up to `batchSize` values (default
 * 1024) when the pipeline has room. An array is sliced, never copied whole; a generator is read only
 * as far as demanded. `from: { index }` resumes after that many values.
 *
 * @example
 * ```ts
 * // Rows in batches of 10 000, each pulled only when the database has room for it.
 * fromIterable(rows, { batchSize: 10_000 }).pipe(
 *   withEventTimeBatches({ timestamp: (r) => r.at, watermarks: monotonousTimestamps() }),
 *   asyncSink((values) => db.insertMany(values), { concurrency: 2 }),
 * ).subscribe();
 * ```
 */
export function fromIterable<T>(
  iterable: Iterable<T>,
  options: PulledSourceOptions<IndexPosition> = {},
): PulledSource<T, IndexPosition> {
  const start = checkIndexPosition(options.from);
  return new PulledSource<T, IndexPosition>(
    () => (Array.isArray(iterable) ? arrayPuller(iterable as readonly T[], start) : iteratorPuller(iterable, start)),
    { ...options, defaultBatchSize: 1024, defaultName: 'iterable source' },
  );
}

function arrayPuller<T>(array: readonly T[], start: number): Puller<T, IndexPosition> {
  let index = Math.min(start, array.length);
  return {
    pull(max) {
      const end = Math.min(array.length, index + max);
      const values = array.slice(index, end);
      index = end;
      return { values, done: index >= array.length };
    },
    position: () => ({ index }),
  };
}

function iteratorPuller<T>(iterable: Iterable<T>, start: number): Puller<T, IndexPosition> {
  const iterator = iterable[Symbol.iterator]();
  let index = 0;
  let finished = false;
  // Skipping to the resume position reads and discards: an iterable cannot seek.
  while (index < start) {
    if (iterator.next().done) {
      finished = true;
      break;
    }
    index++;
  }
  return {
    pull(max) {
      const values: T[] = [];
      while (!finished && values.length < max) {
        const step = iterator.next();
        if (step.done) finished = true;
        else values.push(step.value);
      }
      index += values.length;
      return { values, done: finished };
    },
    position: () => ({ index }),
    close() {
      if (!finished) iterator.return?.();
    },
  };
}
