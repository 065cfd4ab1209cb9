import { InvalidOptionError } from '../core/errors.js';

/**
 * The sender's ArrayBuffers for columnar batches. A buffer leaves with its batch (transferred, so
 * the sender's handle is detached) and comes back from the receiver with its credits; the pool keeps
 * it for the next batch, so a steady stream allocates nothing after warm-up. Sizes are powers of two
 * (at least `MIN_BYTES`), so a buffer fits every batch of its size class. The pool is bounded: a
 * returned buffer beyond `maxBuffers` is left to the garbage collector.
 */
export class BufferPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  readonly #maxBuffers: number;
  readonly #allocate: (bytes: number) => ArrayBuffer;
  #pooled = 0;

  constructor(maxBuffers: number, allocate: (bytes: number) => ArrayBuffer) {
    if (!Number.isSafeInteger(maxBuffers) || maxBuffers < 0)
      throw new InvalidOptionError('columnarCodec maxPooledBuffers', maxBuffers, 'must be a non-negative integer');
    this.#maxBuffers = maxBuffers;
    this.#allocate = allocate;
  }

  /** Buffers waiting in the pool. */
  get size(): number {
    return this.#pooled;
  }

  /** A buffer of at least `bytes`: a pooled one of the size class, or a new one. */
  take(bytes: number): ArrayBuffer {
    const size = sizeClass(bytes);
    const buffer = this.#free.get(size)?.pop();
    if (buffer !== undefined) {
      this.#pooled--;
      return buffer;
    }
    return this.#allocate(size);
  }

  /** Keeps a returned buffer for reuse; detached buffers, foreign sizes and overflow are dropped. */
  give(buffer: ArrayBuffer): void {
    const size = buffer.byteLength;
    if (this.#pooled >= this.#maxBuffers || size < MIN_BYTES || sizeClass(size) !== size) return;
    const list = this.#free.get(size);
    if (list === undefined) this.#free.set(size, [buffer]);
    else list.push(buffer);
    this.#pooled++;
  }
}

/** The smallest buffer the pool hands out: small batches share one class. */
const MIN_BYTES = 4096;

function sizeClass(bytes: number): number {
  return bytes <= MIN_BYTES ? MIN_BYTES : 2 ** Math.ceil(Math.log2(bytes));
}
