import type { StreamRecord } from '../core/elements.js';
import type { BatchCodec } from './batch-codec.js';
import type { CreditFrame, Frame, FramePort } from './frames.js';

type Queued = { readonly records: StreamRecord<unknown, unknown>[] } | { readonly frame: Frame };

/**
 * The sending side of one channel, on either thread: frames leave in order; a batch of records leaves
 * only with a credit (credit-based flow control, as Flink's network stack: docs/architecture.md §5),
 * and is encoded only then, so the codec can reuse the buffers the receiver returned with its credits.
 * What waits for credit stays here and counts in `queuedRecords`, which the owner turns into demand.
 */
export class FrameSender {
  readonly #port: FramePort;
  readonly #codec: BatchCodec;
  readonly #queue: Queued[] = [];
  #credits: number;
  #queuedRecords = 0;
  #open: StreamRecord<unknown, unknown>[] | undefined;

  constructor(port: FramePort, codec: BatchCodec, credits: number) {
    this.#port = port;
    this.#codec = codec;
    this.#credits = credits;
  }

  /** Records waiting for a credit. */
  get queuedRecords(): number {
    return this.#queuedRecords;
  }

  /** Whether anything waits for a credit. */
  get blocked(): boolean {
    return this.#queue.length > 0;
  }

  /** Adds a record to the open batch (sent by the next `flush`). */
  record(record: StreamRecord<unknown, unknown>): void {
    if (this.#open === undefined) {
      this.#open = [];
      this.#queue.push({ records: this.#open });
    }
    this.#open.push(record);
    this.#queuedRecords++;
  }

  /** Queues a frame after the records before it. */
  frame(frame: Frame): void {
    this.#open = undefined;
    this.#queue.push({ frame });
  }

  /** Takes back credits and buffers the receiver returned, and sends what they allow. */
  credit(frame: CreditFrame): void {
    this.#credits += frame.n;
    if (frame.buffers.length > 0) this.#codec.recycle(frame.buffers);
    this.flush();
  }

  /** Sends, in order, every queued frame up to the first batch that has no credit. */
  flush(): void {
    this.#open = undefined;
    let sent = 0;
    while (sent < this.#queue.length) {
      const head = this.#queue[sent]!;
      if ('frame' in head) this.#port.post(head.frame);
      else {
        if (this.#credits === 0) break;
        this.#credits--;
        this.#queuedRecords -= head.records.length;
        const { payload, transfer } = this.#codec.encode(head.records);
        this.#port.post({ t: 'batch', payload }, transfer);
      }
      sent++;
    }
    if (sent > 0) this.#queue.splice(0, sent);
  }
}

/**
 * The receiving side's answer to a batch it has processed: one credit, with the payload's buffers.
 *
 * @example
 * ```ts
 * // internal: returnCredit(port, codec, [frame.payload]);
 * ```
 */
export function returnCredit(port: FramePort, codec: BatchCodec, payloads: readonly unknown[]): void {
  if (payloads.length === 0) return;
  const buffers = payloads.flatMap((payload) => codec.release(payload));
  port.post({ t: 'credit', n: payloads.length, buffers }, buffers);
}
