/**
 * One partition (key group) of a JetStream source: an ordered consumer filtered on the partition's
 * subject, read with bounded fetches, and the position of the next record to emit.
 */
import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { unpack } from './packing.js';

/**
 * Where a partition resumes: at stream sequence `next`, skipping the first `skip` records of that
 * message if it is the partition's (a checkpoint can fall inside a packed message).
 */
export interface PartitionPosition {
  readonly next: number;
  readonly skip: number;
}

/** How a partition reader fetches. */
export interface FetchSettings {
  readonly stream: string;
  /** Most messages one fetch asks for: at most this many are buffered per partition. */
  readonly messages: number;
  /** Most bytes one fetch asks for. */
  readonly bytes: number | undefined;
  /** How long a fetch waits on the server for messages, in ms. */
  readonly expires: number;
}

interface Buffered<T> {
  readonly seq: number;
  readonly values: T[];
  offset: number;
}

/**
 * Reads one partition. A fetch starts only when everything fetched before has been taken, so a
 * partition holds at most `messages` messages however slow the pipeline is. The consumer is an
 * ordered (ephemeral, unacknowledged) one: the position lives in checkpoints, not on the server,
 * and after a server restart or a lost consumer the reader makes a new one from the last sequence it
 * received.
 */
export class PartitionReader<T> {
  readonly subject: string;
  #next: number;
  #skip: number;
  /** The stream sequence of the last message received: where a new consumer starts after. */
  #cursor: number;
  /** The records of the first message, when it is `#next`, already emitted before a restore. */
  #resumeSkip: number;
  /** The last sequence to read (`until: 'end'`), or undefined for a live partition. */
  end: number | undefined;
  readonly #queue: Buffered<T>[] = [];
  #consumer: Consumer | undefined;
  #messages: ConsumerMessages | undefined;
  /** The fetch in flight: resolves when it ends, failed or not. */
  fetching: Promise<void> | undefined;
  /** The error of the last fetch, while the partition is failing (cleared by a good fetch). */
  error: unknown;
  /** When fetches of this partition started failing (the scheduler's time), or undefined. */
  failingSince: number | undefined;
  /** Set by a failed fetch: no new fetch until `retry()`, so an outage is not a busy loop. */
  #failed = false;
  #closed = false;

  constructor(
    readonly keyGroup: number,
    subject: string,
    from: PartitionPosition,
    readonly onData: () => void,
  ) {
    this.subject = subject;
    this.#next = from.next;
    this.#skip = from.skip;
    this.#resumeSkip = from.skip;
    this.#cursor = from.next - 1;
  }

  get position(): PartitionPosition {
    return { next: this.#next, skip: this.#skip };
  }

  /** Messages fetched and not yet wholly emitted. */
  get bufferedMessages(): number {
    return this.#queue.length;
  }

  /** Whether every message up to `end` has been emitted (never, for a live partition). */
  get done(): boolean {
    return this.end !== undefined && this.#cursor >= this.end && this.#queue.length === 0;
  }

  /** Moves up to `max` records into `out`; returns how many. */
  take(max: number, out: T[]): number {
    let taken = 0;
    while (taken < max && this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const n = Math.min(max - taken, head.values.length - head.offset);
      for (let i = 0; i < n; i++) out.push(head.values[head.offset + i]!);
      head.offset += n;
      taken += n;
      if (head.offset === head.values.length) {
        this.#queue.shift();
        this.#next = head.seq + 1;
        this.#skip = 0;
      } else {
        this.#next = head.seq;
        this.#skip = head.offset;
      }
    }
    return taken;
  }

  /** Whether a fetch should start now: nothing buffered, none in flight, more to read. */
  get wantsFetch(): boolean {
    return !this.#closed && !this.#failed && this.fetching === undefined && this.#queue.length === 0 && !this.done;
  }

  /** Whether the last fetch failed and the partition waits for `retry()`. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Allows a fetch again after a failed one. */
  retry(): void {
    this.#failed = false;
  }

  /**
   * Starts a fetch; `fetching` resolves when it ends. A failed fetch drops the consumer and sets
   * `failed`, `error` and `failingSince` (at `now`).
   */
  fetch(js: JetStreamClient, settings: FetchSettings, now: () => number): void {
    const run = async (): Promise<void> => {
      try {
        this.#consumer ??= await js.consumers.get(settings.stream, {
          filter_subjects: this.subject,
          opt_start_seq: this.#cursor + 1,
        });
        if (this.#closed) return;
        const messages = await this.#consumer.fetch(
          settings.bytes === undefined
            ? { max_messages: settings.messages, expires: settings.expires }
            : { max_messages: settings.messages, max_bytes: settings.bytes, expires: settings.expires },
        );
        this.#messages = messages;
        for await (const msg of messages) {
          if (this.#receive(msg)) messages.stop();
        }
        this.error = undefined;
        this.failingSince = undefined;
      } catch (error) {
        // A new consumer, from the cursor, on the next fetch (the ordered consumer's own reset
        // cannot tell a lost server state from a slow one).
        this.#dropConsumer();
        this.#failed = true;
        this.error = error;
        this.failingSince ??= now();
      } finally {
        this.#messages = undefined;
        this.fetching = undefined;
        this.onData();
      }
    };
    this.fetching = run();
  }

  /** Buffers a message; returns true once the partition's `end` is reached (the fetch may stop). */
  #receive(msg: JsMsg): boolean {
    const seq = msg.seq;
    if (seq <= this.#cursor) return false; // a re-delivery after a consumer reset
    if (this.end !== undefined && seq > this.end) return true;
    this.#cursor = seq;
    const values = unpack<T>(msg);
    const offset = seq === this.#next ? Math.min(this.#resumeSkip, values.length) : 0;
    this.#resumeSkip = 0;
    if (offset < values.length) this.#queue.push({ seq, values, offset });
    else {
      // Wholly emitted before the restore: the position moves past it.
      this.#next = seq + 1;
      this.#skip = 0;
    }
    this.onData();
    return this.end !== undefined && seq >= this.end;
  }

  #dropConsumer(): void {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    void consumer?.delete().catch(() => undefined);
  }

  close(): void {
    this.#closed = true;
    this.#messages?.stop();
    this.#dropConsumer();
  }
}
