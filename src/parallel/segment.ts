import type { Observable } from 'rxjs';
import type { StreamBatch } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import { structuredCloneCodec, type BatchCodec } from './batch-codec.js';
import { SegmentNotMovableError } from './errors.js';

/** Which subtask a segment runs as: given to its `build` function inside the worker. */
export interface SubtaskInfo {
  /** The subtask's index, from 0. */
  readonly subtask: number;
  readonly parallelism: number;
  readonly maxParallelism: number;
  /** The key groups this subtask owns (Flink's `computeKeyGroupRangeForOperatorIndex`). */
  readonly keyGroups: KeyGroupRange;
}

/**
 * The keyed part of a pipeline that runs in parallel subtasks: from the keyed stream `keyBy` makes
 * to whatever goes back to the main thread. It lives in a module of its own, which each worker
 * imports, because functions cannot be sent to another thread.
 */
export interface Segment<T = unknown, K = unknown, R = unknown> {
  /** The URL of the module that defines and exports the segment (`import.meta.url`). */
  readonly module: string;
  /** The segment's name, unique within its module. */
  readonly name: string;
  /** Builds the subtask's pipeline over its share of the keyed stream. */
  readonly build: (input: Observable<StreamBatch<T, K>>, subtask: SubtaskInfo) => Observable<StreamBatch<R, unknown>>;
  /** How batches cross, both ways; chosen here because both threads import the segment's module. */
  readonly codec: BatchCodec;
}

/** Options of `defineSegment`. */
export interface SegmentOptions {
  /** How batches of records cross between threads; default `structuredCloneCodec`. */
  codec?: BatchCodec;
}

const SEGMENT: unique symbol = Symbol.for('rxflink.segment');

/**
 * Defines a keyed segment that `parallel` runs in worker threads (docs/parallel.md). Call it at the
 * top level of a module, with that module's `import.meta.url`, and export the result: each worker
 * imports the module and takes the exported segment of that name, so `build` and every function it
 * uses are the module's own, never a closure sent across threads.
 *
 * @example
 * ```ts
 * // clicks.segment.ts: each worker imports this module and finds `clicksPerMinute` among its exports.
 * import { count, tumblingEventTimeWindows, window } from 'rxflink';
 * import { defineSegment } from 'rxflink/parallel';
 *
 * export const clicksPerMinute = defineSegment<Click, string, unknown>(import.meta.url, 'clicksPerMinute', (clicks) =>
 *   clicks.pipe(window<Click, string>(tumblingEventTimeWindows(60_000)).aggregate(count())),
 * );
 * ```
 */
export function defineSegment<T, K, R>(
  module: string,
  name: string,
  build: (input: Observable<StreamBatch<T, K>>, subtask: SubtaskInfo) => Observable<StreamBatch<R, unknown>>,
  options: SegmentOptions = {},
): Segment<T, K, R> {
  if (typeof module !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(module))
    throw new InvalidOptionError('module', module, 'must be the URL of the defining module: pass import.meta.url');
  if (typeof name !== 'string' || name.length === 0)
    throw new InvalidOptionError('name', name, 'must be a non-empty string');
  if (typeof build !== 'function') throw new InvalidOptionError('build', build, 'must be a function');
  return Object.freeze({ module, name, build, codec: options.codec ?? structuredCloneCodec, [SEGMENT]: true });
}

/** Whether `value` was made by `defineSegment` (in any copy of the library). */
export function isSegment(value: unknown): value is Segment {
  return typeof value === 'object' && value !== null && (value as { [SEGMENT]?: boolean })[SEGMENT] === true;
}

/**
 * Checks what `parallel` was given: a function or a plain object cannot be moved to a worker.
 *
 * @example
 * ```ts
 * // internal: checkMovable(segment); // throws SegmentNotMovableError for (input) => input.pipe(...)
 * ```
 */
export function checkMovable(segment: unknown): Segment {
  if (isSegment(segment)) return segment;
  throw new SegmentNotMovableError(
    segment,
    typeof segment === 'function'
      ? 'a function is a closure, which cannot cross to another thread; define the segment with defineSegment(import.meta.url, name, build) at the top level of a module and export it'
      : 'not a segment; make it with defineSegment(import.meta.url, name, build)',
  );
}

/**
 * Finds the segment `name` among a module's exports, in the worker.
 *
 * @example
 * ```ts
 * // internal: const segment = findSegment(await import(url), url, 'clicksPerMinute');
 * ```
 */
export function findSegment(exports: Record<string, unknown>, module: string, name: string): Segment {
  for (const value of Object.values(exports)) if (isSegment(value) && value.name === name) return value;
  throw new SegmentNotMovableError(
    name,
    `module ${module} exports no segment named ${JSON.stringify(name)}; a segment defined inside a function or not exported cannot be found by the worker: define it at the top level of its module and export it`,
  );
}
