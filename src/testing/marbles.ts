import { concatMap, map, type OperatorFunction } from 'rxjs';
import type { StreamBatch, StreamElement } from '../core/elements.js';

/**
 * Marble helpers. Pipelines carry batches of elements; in a marble diagram each frame holds one
 * element. `batched()` wraps each element of a marble Observable into a batch of one, and
 * `unbatched()` spreads each emitted batch into its elements at the same frame, so several elements
 * emitted together read as a group, `(ab)`.
 *
 * @example
 * ```ts
 * testScheduler.run(({ cold, expectObservable }) => {
 *   const input = cold('a-b-|', { a: record('x', 1), b: record('y', 2) }).pipe(batched());
 *   expectObservable(input.pipe(mapValues((v: string) => v.toUpperCase()), unbatched()))
 *     .toBe('a-b-(e|)', { a: record('X', 1), b: record('Y', 2), e: END_OF_STREAM });
 * });
 * ```
 */
export function batched<T, K>(): OperatorFunction<StreamElement<T, K>, StreamBatch<T, K>> {
  return map((element) => [element]);
}

/** Spreads each batch into its elements, in order, at the frame the batch was emitted. */
export function unbatched<T, K>(): OperatorFunction<StreamBatch<T, K>, StreamElement<T, K>> {
  return concatMap((batch) => batch);
}
