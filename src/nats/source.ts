import type { JetStreamClient } from '@nats-io/jetstream';
import { asyncScheduler } from 'rxjs';
import { InvalidOptionError } from '../core/errors.js';
import { DEFAULT_MAX_PARALLELISM } from '../core/keys.js';
import { positiveInteger } from '../core/options.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import { PulledSource, type PulledSourceOptions, type Puller, type PullResult } from '../sources/pulled.js';
import { type FetchSettings, PartitionReader, type PartitionPosition } from './partition-reader.js';
import { sleep, type RetrySettings } from './retry.js';
import { checkPrefix, partitionSubject, partitionsOf } from './subjects.js';

/**
 * The position of a JetStream source, stored in each checkpoint: per key group (partition), the
 * stream sequence to resume at and the records of that message already emitted. Keyed by key group,
 * so positions of tasks that split or merge combine by key group.
 */
export interface NatsSourcePosition {
  readonly partitions: Readonly<Record<string, PartitionPosition>>;
}

/** Options of `natsSource`. */
export interface NatsSourceOptions extends PulledSourceOptions<NatsSourcePosition> {
  /** The JetStream stream holding the partition subjects. */
  stream: string;
  /** Subject prefix: key group `g` is read from `<prefix>.<g>`. */
  prefix: string;
  /** The key groups of this task (inclusive). Default: all of them. */
  keyGroups?: KeyGroupRange;
  /** Number of key groups; the pipeline's max parallelism. Default 128. */
  maxParallelism?: number;
  /** Most messages one fetch asks for, per partition: the bound on what a partition buffers. Default 64. */
  fetchMessages?: number;
  /** Most bytes one fetch asks for, per partition. Default: no byte bound. */
  fetchBytes?: number;
  /** How long a fetch waits on the server for messages, in ms. Default 5,000. */
  fetchExpires?: number;
  /**
   * `'end'`: read what the partitions hold when the source opens, then complete (a bounded input:
   * backfills, tests, benchmarks). Default `'never'`: a live source.
   */
  until?: 'end' | 'never';
  /** How long fetches may fail in a row (a server restart) before the source fails, in ms. Default 60,000. */
  retryFor?: number;
  /** A key group absent from `from` starts here: a stream sequence. Default 1 (the beginning). */
  startSequence?: number;
}

/**
 * A JetStream source whose partitions are key groups. `bufferedMessages` is what the latest
 * subscription holds in memory, at most `maxBufferedMessages` (`fetchMessages` per partition).
 */
export class NatsSource<T> extends PulledSource<T, NatsSourcePosition> {
  readonly maxBufferedMessages: number;
  readonly #buffered: () => number;

  /** Built by `natsSource`; `buffered` counts what the latest subscription holds. */
  constructor(
    open: (from: NatsSourcePosition | undefined) => Puller<T, NatsSourcePosition>,
    options: NatsSourceOptions,
    buffered: () => number,
    maxBufferedMessages: number,
  ) {
    super(open, { ...options, defaultBatchSize: 1_024, defaultName: `nats source ${options.stream}` });
    this.#buffered = buffered;
    this.maxBufferedMessages = maxBufferedMessages;
  }

  /** Messages the latest subscription has fetched and not yet wholly emitted. */
  get bufferedMessages(): number {
    return this.#buffered();
  }
}

/**
 * Reads the partitions (key groups) of a task from a JetStream stream: one ordered consumer per
 * partition, each read with bounded fetches that start only when the pipeline has taken what the
 * previous one brought, so demand and backpressure reach the server. The position (stream sequence
 * per partition) goes into every checkpoint, and a restored source resumes exactly after the last
 * record emitted before the barrier.
 *
 * @example
 * ```ts
 * const js = jetstream(await connect({ servers: 'nats://127.0.0.1:4222' }));
 * // This task owns key groups 0..63 of 128; after a restore it resumes at the checkpoint's sequences.
 * const orders = natsSource<Order>(js, {
 *   stream: 'ORDERS',
 *   prefix: 'orders',
 *   keyGroups: { start: 0, end: 63 },
 *   from: checkpoints.position<NatsSourcePosition>('orders'),
 * });
 * checkpoints
 *   .source('orders', orders)
 *   .pipe(withEventTimeBatches({ timestamp: (o: Order) => o.at, watermarks: boundedOutOfOrderness(1_000), uid: 'entry' }))
 *   .subscribe();
 * ```
 */
export function natsSource<T>(js: JetStreamClient, options: NatsSourceOptions): NatsSource<T> {
  if (typeof options.stream !== 'string' || options.stream === '')
    throw new InvalidOptionError('stream', options.stream, 'must be the name of a JetStream stream');
  const prefix = checkPrefix('prefix', options.prefix);
  const maxParallelism = positiveInteger('maxParallelism', options.maxParallelism ?? DEFAULT_MAX_PARALLELISM);
  const partitions = partitionsOf(options.keyGroups ?? { start: 0, end: maxParallelism - 1 }, maxParallelism);
  const fetch: FetchSettings = {
    stream: options.stream,
    messages: positiveInteger('fetchMessages', options.fetchMessages ?? 64),
    bytes: options.fetchBytes === undefined ? undefined : positiveInteger('fetchBytes', options.fetchBytes, 'bytes'),
    expires: positiveInteger('fetchExpires', options.fetchExpires ?? 5_000, 'milliseconds'),
  };
  const until = options.until ?? 'never';
  if (until !== 'end' && until !== 'never') throw new InvalidOptionError('until', until, "must be 'end' or 'never'");
  const start = positiveInteger('startSequence', options.startSequence ?? 1);
  const retry: RetrySettings = {
    scheduler: options.scheduler ?? asyncScheduler,
    retryFor: positiveInteger('retryFor', options.retryFor ?? 60_000, 'milliseconds'),
    backoff: 250,
  };
  let latest: NatsPuller<T> | undefined;
  const open = (from: NatsSourcePosition | undefined): Puller<T, NatsSourcePosition> => {
    latest = new NatsPuller<T>(js, partitions, prefix, resumeAt(from, start), fetch, retry, until === 'end');
    return latest;
  };
  const buffered = (): number => latest?.readers.reduce((n, reader) => n + reader.bufferedMessages, 0) ?? 0;
  return new NatsSource<T>(open, options, buffered, partitions.length * fetch.messages);
}

/** Where each partition resumes, checked: `from.partitions[g]` or the start sequence. */
function resumeAt(from: NatsSourcePosition | undefined, start: number): (keyGroup: number) => PartitionPosition {
  if (from !== undefined && (typeof from !== 'object' || from === null || typeof from.partitions !== 'object'))
    throw new InvalidOptionError('from', from, 'must be a position { partitions } from checkpoints.position(id)');
  return (g) => {
    const p = from?.partitions[String(g)];
    if (p === undefined) return { next: start, skip: 0 };
    if (!Number.isSafeInteger(p.next) || p.next < 1 || !Number.isSafeInteger(p.skip) || p.skip < 0)
      throw new InvalidOptionError(`from.partitions[${g}]`, p, 'must be { next: sequence >= 1, skip: integer >= 0 }');
    return p;
  };
}

/** Longest wait of a pull that finds nothing, in ms: the latest a checkpoint barrier of a caught-up source goes out. */
const IDLE_PULL_MS = 100;

/** Takes records from the partitions in turn, fetching for those that ran dry. */
class NatsPuller<T> implements Puller<T, NatsSourcePosition> {
  readonly readers: PartitionReader<T>[];
  #turn = 0;
  #ready = false;
  #closed = false;
  #wake: (() => void) | undefined;

  constructor(
    readonly js: JetStreamClient,
    partitions: readonly number[],
    prefix: string,
    from: (keyGroup: number) => PartitionPosition,
    readonly fetchSettings: FetchSettings,
    readonly retry: RetrySettings,
    readonly bounded: boolean,
  ) {
    const onData = (): void => {
      const wake = this.#wake;
      this.#wake = undefined;
      wake?.();
    };
    this.readers = partitions.map((g) => new PartitionReader<T>(g, partitionSubject(prefix, g), from(g), onData));
  }

  async pull(max: number): Promise<PullResult<T>> {
    if (!this.#ready) await this.#findEnds();
    const { scheduler, retryFor, backoff } = this.retry;
    for (;;) {
      const values: T[] = [];
      const n = this.readers.length;
      for (let i = 0; i < n && values.length < max; i++) {
        this.readers[(this.#turn + i) % n]!.take(max - values.length, values);
      }
      this.#turn = (this.#turn + 1) % n;
      const fetching = this.#fetchDry();
      if (values.length > 0) return { values, done: false };
      if (this.readers.every((r) => r.done)) return { values: [], done: true };
      const failed = this.readers.filter((r) => r.failed);
      if (failed.length === 0) {
        if (this.#closed) return { values: [], done: true };
        // Caught up: wait a little for data; none within IDLE_PULL_MS, return empty-handed, so that
        // the source is not pending and checkpoint barriers can go out (a live source waiting on the
        // server would otherwise hold every checkpoint back until new input arrives).
        const waited = fetching ? this.#data().then(() => false) : sleep(backoff, scheduler).then(() => false);
        if (await Promise.race([waited, sleep(IDLE_PULL_MS, scheduler).then(() => true)])) {
          return { values: [], done: false };
        }
        continue;
      }
      // An outage (a server restart, a reconnect): try again after a pause, for up to retryFor.
      const now = scheduler.now();
      const longest = failed.reduce((r, f) => ((f.failingSince ?? now) < (r.failingSince ?? now) ? f : r));
      if (now - (longest.failingSince ?? now) >= retryFor) throw longest.error;
      await Promise.race([sleep(backoff, scheduler), this.#data()]);
      for (const reader of failed) reader.retry();
    }
  }

  /** Resolves when a partition receives a message or a fetch ends. */
  #data(): Promise<void> {
    return new Promise<void>((resolve) => {
      const previous = this.#wake;
      this.#wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Starts a fetch on every partition that has nothing buffered; returns whether any runs. */
  #fetchDry(): boolean {
    let any = false;
    const now = (): number => this.retry.scheduler.now();
    for (const reader of this.readers) {
      if (reader.wantsFetch) reader.fetch(this.js, this.fetchSettings, now);
      any ||= reader.fetching !== undefined;
    }
    return any;
  }

  /** With `until: 'end'`, the last sequence of each partition now (0 when it is empty). */
  async #findEnds(): Promise<void> {
    if (this.bounded) {
      const jsm = await this.js.jetstreamManager();
      await Promise.all(
        this.readers.map(async (reader) => {
          const last = await jsm.streams.getMessage(this.fetchSettings.stream, { last_by_subj: reader.subject });
          reader.end = last?.seq ?? 0;
        }),
      );
    }
    this.#ready = true;
  }

  position(): NatsSourcePosition {
    const partitions: Record<string, PartitionPosition> = {};
    for (const reader of this.readers) partitions[reader.keyGroup] = reader.position;
    return { partitions };
  }

  close(): void {
    this.#closed = true;
    for (const reader of this.readers) reader.close();
    this.#wake?.();
  }
}
