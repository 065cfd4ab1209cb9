import type { StreamRecord } from '../core/elements.js';

/**
 * How a batch of records crosses to another thread (docs/architecture.md §9). A channel between the
 * main thread and a worker posts `payload` with `postMessage(payload, transfer)`: the buffers in
 * `transfer` move instead of being copied. The receiver decodes, then hands the buffers back with
 * its credits, and the sender's codec reuses them, so a steady stream allocates no new buffers.
 */
export interface EncodedBatch {
  /** What is posted: anything structured clone can copy. */
  readonly payload: unknown;
  /** Buffers inside `payload` to transfer rather than copy; empty for a structured-clone batch. */
  readonly transfer: ArrayBuffer[];
}

/** Encodes the records of one channel's batch for `postMessage`, and decodes them on the other side. */
export interface BatchCodec {
  /** Encodes records, in order. The records themselves are not changed. */
  encode(records: readonly StreamRecord<unknown, unknown>[]): EncodedBatch;
  /** Decodes a payload that `encode` made (on any thread), in order. */
  decode(payload: unknown): StreamRecord<unknown, unknown>[];
  /** The buffers of a decoded payload that the receiver may send back to the sender once decoded. */
  release(payload: unknown): ArrayBuffer[];
  /** Takes back buffers the receiver returned, for the next `encode`. */
  recycle(buffers: readonly ArrayBuffer[]): void;
}

/**
 * The fallback codec: records go as they are and structured clone copies them, so any value that
 * structured clone accepts crosses (not functions, not class instances' prototypes).
 *
 * @example
 * ```ts
 * // internal: const { payload } = structuredCloneCodec.encode(records); port.postMessage(payload);
 * ```
 */
export const structuredCloneCodec: BatchCodec = {
  encode: (records) => ({ payload: records, transfer: [] }),
  decode: (payload) => payload as StreamRecord<unknown, unknown>[],
  release: () => [],
  recycle: () => {},
};
