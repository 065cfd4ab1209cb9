import type { PendingCheckpoint } from './checkpointing.js';

/**
 * Stream elements travel in-band, in order, on one Observable (docs/architecture.md §1): records, watermarks,
 * idleness status and control elements such as checkpoint barriers. They travel in batches
 * (`StreamBatch`) so that RxJS's per-emission cost is paid once per batch, not once per record.
 */

/** A value with its event timestamp in milliseconds; after `keyBy`, also its key and key group. */
export interface StreamRecord<T, K = undefined> {
  readonly kind: 'record';
  readonly value: T;
  /** Event time in milliseconds: always a safe integer, as Flink's `long` timestamps. */
  readonly timestamp: number;
  /** The key attached by `keyBy`; `undefined` on a stream that is not keyed. */
  readonly key: K;
  /** `hash(key) mod maxParallelism`, attached by `keyBy`; -1 on a stream that is not keyed. */
  readonly keyGroup: number;
}

/** Watermark W: no record with timestamp <= W follows on this stream. */
export interface Watermark {
  readonly kind: 'watermark';
  readonly timestamp: number;
}

/**
 * Whether the stream that sends it is idle. An idle input does not hold back the watermark of a
 * merge (Flink's WatermarkStatus). Any record makes the input active again.
 */
export interface StreamStatus {
  readonly kind: 'status';
  readonly idle: boolean;
}

/** A checkpoint barrier: separates the records before checkpoint `checkpointId` from those after it. */
export interface CheckpointBarrier {
  readonly kind: 'barrier';
  readonly checkpointId: number;
  /**
   * The checkpoint in progress: each operator the barrier passes reports its state to it. Barriers
   * written by hand in tests have none and only keep their place.
   */
  readonly checkpoint?: PendingCheckpoint | undefined;
}

/**
 * A control element that operators forward untouched unless they know its `type`. It leaves room for
 * signals that must keep their place among the records (flow control, restore markers, ...).
 */
export interface ControlElement {
  readonly kind: 'control';
  readonly type: string;
  readonly payload?: unknown;
}

export type StreamElement<T, K = undefined> =
  | StreamRecord<T, K>
  | Watermark
  | StreamStatus
  | CheckpointBarrier
  | ControlElement;

/** A run of elements that travel together in one Observable emission, in stream order. */
export type StreamBatch<T, K = undefined> = readonly StreamElement<T, K>[];

/** The watermark before any has been seen: nothing is known yet. */
export const MIN_WATERMARK = -Infinity;
/** The watermark that ends a stream: every event-time window and timer fires. */
export const MAX_WATERMARK = Infinity;

/**
 * Creates a record of a stream that is not keyed: how marble tests write their input and expected
 * output.
 *
 * @example
 * ```ts
 * const r = record({ page: '/home' }, 1_000); // { kind: 'record', value: { page: '/home' }, timestamp: 1000, ... }
 * ```
 */
export function record<T>(value: T, timestamp: number): StreamRecord<T> {
  return { kind: 'record', value, timestamp, key: undefined, keyGroup: -1 };
}

/** Creates a record of a keyed stream. */
export function keyedRecord<T, K>(value: T, timestamp: number, key: K, keyGroup: number): StreamRecord<T, K> {
  return { kind: 'record', value, timestamp, key, keyGroup };
}

/**
 * Creates a watermark element: no record with a timestamp at or below it follows.
 *
 * @example
 * ```ts
 * const w = watermark(59_999); // fires the event-time windows that end at 60,000 or before
 * ```
 */
export function watermark(timestamp: number): Watermark {
  return { kind: 'watermark', timestamp };
}

/** The status element that marks a stream idle. */
export const IDLE: StreamStatus = Object.freeze({ kind: 'status', idle: true });
/** The status element that marks a stream active again. */
export const ACTIVE: StreamStatus = Object.freeze({ kind: 'status', idle: false });

/** The watermark element that ends a stream. */
export const END_OF_STREAM: Watermark = Object.freeze({ kind: 'watermark', timestamp: MAX_WATERMARK });

export function isRecord<T, K>(element: StreamElement<T, K>): element is StreamRecord<T, K> {
  return element.kind === 'record';
}

const MARKERS: unique symbol = Symbol('rxflink.markers');

/**
 * A batch of plain values (what a source emits) that carries in-band elements instead of values: a
 * checkpoint barrier, a restore marker, the end of input. It is an empty array, so an operator that
 * does not know markers sees nothing; the entry operators (`withEventTime...`) turn it into the
 * elements it carries, in place.
 */
export function markerBatch<T>(elements: readonly StreamElement<never, never>[]): readonly T[] {
  return Object.freeze(Object.defineProperty([] as T[], MARKERS, { value: elements }));
}

/** The elements a `markerBatch` carries, or undefined for any other value. */
export function markersOf(batch: unknown): readonly StreamElement<never, never>[] | undefined {
  return Array.isArray(batch) && batch.length === 0
    ? (batch as { [MARKERS]?: readonly StreamElement<never, never>[] })[MARKERS]
    : undefined;
}
