import type { JetStreamClient } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { asyncScheduler, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { StreamBatch } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';
import { exactlyOnceSink } from '../sinks/exactlyOnceSink.js';
import { CommitMarkerStore, isTyped } from './commit-marker.js';
import { DuplicateWindowError } from './errors.js';
import { NatsPublishError, permanentPublishError } from './publish-errors.js';
import { groupInOrder, pack, packing, type PackingOptions } from './packing.js';
import type { RetrySettings } from './retry.js';
import { retrying } from './retry.js';
import { checkPrefix } from './subjects.js';

/** Options of `natsExactlyOnceSink`. */
export interface NatsSinkOptions<T> extends PackingOptions {
  /** The uid the sink's uncommitted output is stored under in checkpoints. */
  uid: string;
  /** The stream the output subjects belong to: its duplicate window is checked. */
  stream: string;
  /** Where a value is published: one subject, or a subject per value (a partition subject). */
  subject: string | ((value: T) => string);
  /** The job and task (`job`, `task`): message ids and the commit marker's key are made of them. */
  job: string;
  task: string;
  /** The KV bucket holding commit markers (one key per job and task). */
  markers: KV;
  /**
   * Longest outage the sink rides through, in ms: it re-sends for that long, and the stream's
   * `duplicate_window` must be at least as long, or the sink fails to open with DuplicateWindowError.
   */
  recoveryTime: number;
  /**
   * The fencing hook: this writer's epoch (a task's lease revision), read before every commit. A
   * marker written by a newer epoch refuses the commit with FencedError. Default 0 (no fencing).
   */
  epoch?: number | (() => number);
  /**
   * The task's fence (`task.fence` of an assigned task, a `TaskFence`): checked before a checkpoint's
   * output is published and again before its marker is written, so that an instance the task was
   * taken from publishes nothing new (`TaskFencedError`). `checkpointedTasks` hands it to `run`.
   */
  fence?: {
    /** Resolves while this instance still holds the task; rejects with `TaskFencedError` once it lost it. */
    assertEpoch(): Promise<void>;
  };
  /** Where retry pauses are timed; default `asyncScheduler`. */
  scheduler?: SchedulerLike;
}

/** The KV key of a task's commit marker: `<job>.<task>`. */
export function commitMarkerKey(job: string, task: string): string {
  return `${job}.${task}`;
}

/**
 * An exactly-once sink into JetStream, on `exactlyOnceSink`'s commit-after-checkpoint protocol: a
 * checkpoint's output is published only once the checkpoint is stored, as packed messages whose
 * `Nats-Msg-Id` is `<job>.<task>.<checkpointId>.<index>`, so that the server's dedup drops a re-send;
 * then a commit marker in KV (compare-and-set on its revision) records the checkpoint as published.
 * A restarted sink reads the marker and skips checkpoints already out. Opening checks that the
 * stream's duplicate window covers `recoveryTime`.
 *
 * @example
 * ```ts
 * const js = jetstream(await connect({ servers: 'nats://127.0.0.1:4222' }));
 * const sink = await natsExactlyOnceSink<WindowResult<string, number>, string>(js, {
 *   uid: 'totals-out',
 *   stream: 'TOTALS', // its duplicate_window must be >= recoveryTime
 *   subject: 'totals',
 *   job: 'billing',
 *   task: '0-63',
 *   markers: await new Kvm(js).create('commits'),
 *   recoveryTime: 60_000,
 * });
 * checkpoints
 *   .source('orders', natsSource<Order>(js, { stream: 'ORDERS', prefix: 'orders', from: checkpoints.position<NatsSourcePosition>('orders') }))
 *   .pipe(
 *     withEventTimeBatches({ timestamp: (o: Order) => o.at, watermarks: boundedOutOfOrderness(1_000), uid: 'entry' }),
 *     keyBy((o: Order) => o.shop),
 *     window(tumblingEventTimeWindows(60_000), { uid: 'per-minute' }).aggregate(count()),
 *     sink,
 *   )
 *   .subscribe();
 * ```
 */
export async function natsExactlyOnceSink<T, K = unknown>(
  js: JetStreamClient,
  options: NatsSinkOptions<T>,
): Promise<OperatorFunction<StreamBatch<T, K>, StreamBatch<T, K>>> {
  const stream = options.stream;
  if (typeof stream !== 'string' || stream === '')
    throw new InvalidOptionError('stream', stream, 'must be the name of a JetStream stream');
  const subject =
    typeof options.subject === 'function' ? options.subject : constant(checkPrefix('subject', options.subject));
  const job = checkPrefix('job', options.job);
  const task = checkPrefix('task', options.task);
  const recoveryTime = positiveInteger('recoveryTime', options.recoveryTime, 'milliseconds');
  const epochOption = options.epoch ?? 0;
  const epoch = typeof epochOption === 'function' ? epochOption : constant(epochOption);
  const limits = packing(options);
  const retry: RetrySettings = { scheduler: options.scheduler ?? asyncScheduler, retryFor: recoveryTime, backoff: 250 };

  const jsm = await js.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const windowMs = Math.floor(info.config.duplicate_window / 1_000_000);
  if (windowMs < recoveryTime) throw new DuplicateWindowError(stream, windowMs, recoveryTime);
  const marker = new CommitMarkerStore(options.markers, commitMarkerKey(job, task), retry);
  await marker.read();

  const fence = options.fence;
  if (fence !== undefined && typeof fence.assertEpoch !== 'function')
    throw new InvalidOptionError('fence', fence, 'must be a TaskFence (an object with assertEpoch())');
  // A read of the task key: retried through an outage like the other calls, but a fenced task is final.
  const checkFence = async (): Promise<void> => {
    if (fence !== undefined) await retrying(() => fence.assertEpoch(), retry, isTyped);
  };

  const commit = async (values: readonly T[], checkpointId: number): Promise<void> => {
    const writer = epoch();
    await checkFence();
    // Re-read: another instance may have taken the task (fencing) or committed since.
    const current = await marker.read();
    marker.checkFence(writer);
    // Already out (a restore commits the last checkpoint again), whichever epoch published it.
    if (current !== undefined && current.checkpointId >= checkpointId) return;
    const messages = packBySubject(values, subject, limits);
    await Promise.all(
      messages.map(([to, payload], index) =>
        retrying(
          async () => {
            try {
              return await js.publish(to, payload, {
                msgID: `${job}.${task}.${checkpointId}.${index}`,
                expect: { streamName: stream },
              });
            } catch (error) {
              throw (await permanentPublishError(error, to, stream, jsm)) ?? error;
            }
          },
          retry,
          (error) => isTyped(error) || error instanceof NatsPublishError,
        ),
      ),
    );
    await checkFence();
    await marker.write({ epoch: writer, checkpointId, published: messages.length });
  };
  return exactlyOnceSink<T, K>(commit, { uid: options.uid });
}

/** Packs values per subject, subjects in order of first appearance: deterministic for message ids. */
function packBySubject<T>(
  values: readonly T[],
  subject: (value: T) => string,
  limits: ReturnType<typeof packing>,
): [string, string][] {
  const out: [string, string][] = [];
  for (const [to, list] of groupInOrder(values, subject))
    for (const payload of pack(list, limits)) out.push([to, payload]);
  return out;
}

function constant<V>(value: V): () => V {
  return () => value;
}
