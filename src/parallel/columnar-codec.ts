import type { StreamRecord } from '../core/elements.js';
import type { BatchCodec, EncodedBatch } from './batch-codec.js';
import { BufferPool } from './buffer-pool.js';
import { decodeColumnar } from './columnar-decode.js';
import { Dictionary, encodeColumnar } from './columnar-encode.js';
import type { ColumnarPayload } from './columnar-payload.js';
import { Scratch } from './columnar-plan.js';

export { batchPath } from './columnar-payload.js';
export type { Cell, ColumnarPayload, ColumnLayout } from './columnar-payload.js';

/** Options of `columnarCodec`. */
export interface ColumnarCodecOptions {
  /** How many returned buffers the sender keeps for reuse (default 16); more are left to the GC. */
  readonly maxPooledBuffers?: number;
  /** Makes a new buffer when the pool has none of the size (default `new ArrayBuffer(bytes)`); tests count calls. */
  readonly allocate?: (bytes: number) => ArrayBuffer;
}

/** A columnar `BatchCodec`, plus what its pool holds. */
export interface ColumnarCodec extends BatchCodec {
  /** Buffers waiting in the sender's pool. */
  readonly pooledBuffers: number;
}

/**
 * A `BatchCodec` that sends a batch as columns (docs/parallel-transport.md): timestamps, key groups,
 * keys and values in typed arrays of one transferred ArrayBuffer, strings in a dictionary. Keys and
 * values fit columns when every record's is a number, string, boolean, null or undefined; an array of
 * those of one length (a tuple key); or a plain object of one shape (the same own keys in the same
 * order) whose fields are such scalars (`{ word, count }`). Any other batch goes by structured clone,
 * whole: decoding always gives values equal to those encoded (-0, NaN, lone surrogates, a field set
 * to undefined, a field named "__proto__" included).
 *
 * Buffers come from a bounded pool: the receiver lists a decoded payload's buffers with `release`,
 * sends them back with its credits (transferring them), and the sender `recycle`s them.
 *
 * @example
 * ```ts
 * // internal: const codec = columnarCodec();
 * // internal: const { payload, transfer } = codec.encode(records); worker.postMessage(payload, transfer);
 * // internal: // in the worker: const records = codec.decode(payload); const back = codec.release(payload); port.postMessage(back, back);
 * // internal: // on the sender, when the buffers come back: codec.recycle(back);
 * ```
 */
export function columnarCodec(options: ColumnarCodecOptions = {}): ColumnarCodec {
  const pool = new BufferPool(options.maxPooledBuffers ?? 16, options.allocate ?? ((bytes) => new ArrayBuffer(bytes)));
  const dictionary = new Dictionary();
  const scratch = new Scratch();
  return {
    encode(records: readonly StreamRecord<unknown, unknown>[]): EncodedBatch {
      const payload = records.length === 0 ? undefined : encodeColumnar(records, pool, dictionary, scratch);
      return payload === undefined ? { payload: records, transfer: [] } : { payload, transfer: [payload.buffer] };
    },
    decode(payload: unknown): StreamRecord<unknown, unknown>[] {
      if (Array.isArray(payload)) return payload as StreamRecord<unknown, unknown>[];
      return decodeColumnar(payload as ColumnarPayload);
    },
    release(payload: unknown): ArrayBuffer[] {
      return Array.isArray(payload) ? [] : [(payload as ColumnarPayload).buffer];
    },
    recycle(buffers: readonly ArrayBuffer[]): void {
      for (const buffer of buffers) pool.give(buffer);
    },
    get pooledBuffers() {
      return pool.size;
    },
  };
}
