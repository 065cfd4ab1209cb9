import {
  from as rxFrom,
  lastValueFrom,
  Observable,
  defaultIfEmpty,
  type ObservableInput,
  type OperatorFunction,
} from 'rxjs';
import { checkUid, reportPipelineFailure, type PendingCheckpoint } from '../core/checkpointing.js';
import type { StreamBatch, StreamElement, StreamRecord } from '../core/elements.js';
import { InvalidOptionError, StreamError } from '../core/errors.js';
import { processBatch, type Output, type StreamOperator } from '../core/operator.js';
import type { OperatorStateSnapshot } from '../core/state-snapshot.js';
import { StateRestoreError } from '../state/errors.js';
import { RestoreChecks } from '../state/restore-checks.js';

/** Options of `exactlyOnceSink`. */
export interface ExactlyOnceSinkOptions {
  /** The id its uncommitted results are stored under in checkpoints. Required. */
  uid: string;
}

/** A commit of `exactlyOnceSink` failed; `cause` holds the error. */
export class CommitError extends StreamError {
  readonly checkpointId: number;
  constructor(uid: string, checkpointId: number, cause: unknown) {
    super(
      'COMMIT_FAILED',
      `exactlyOnceSink ${JSON.stringify(uid)} could not commit the results of checkpoint ${checkpointId}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
    this.checkpointId = checkpointId;
  }
}

/** One checkpoint's results, written into the checkpoint and committed once it is stored. */
interface Transaction<T> {
  readonly checkpointId: number;
  readonly values: readonly T[];
}

/**
 * A sink that writes each checkpoint's results only once that checkpoint is stored, like Flink's
 * two-phase-commit sinks: the values that arrive between two barriers are kept (and stored in the
 * checkpoint, as the sink's state), and `commit(values, checkpointId)` runs after the checkpoint
 * completes. After a crash, the pipeline restarts from the last checkpoint: its uncommitted results
 * are committed again from the checkpoint and the replayed input produces the rest once more, so
 * every result reaches the destination in exactly one committed transaction.
 *
 * `commit` must be idempotent per `checkpointId` (store the id with the results, or write to a
 * file named after it): a crash between storing a checkpoint and finishing its commit makes the
 * restored pipeline commit that checkpoint again. Commits run one at a time, in checkpoint order.
 * The records pass through, so the sink can sit before other steps. The input completes only after
 * the last commit (the coordinator takes a final checkpoint at the end of input). Without
 * checkpointing, everything is committed once at the end of input, under checkpoint id 0.
 *
 * Which sink gives which guarantee: `exactlyOnceSink` exactly once (given an idempotent commit);
 * `asyncSink` at least once (a checkpoint waits for its writes, and writes after it are replayed
 * after a restore); a plain `subscribe` sees replayed results again after a restore.
 *
 * @example
 * ```ts
 * checkpoints.source('clicks', fromIterable(clickLog, { from: checkpoints.position('clicks') })).pipe(
 *   withEventTimeBatches({ timestamp: (c) => c.at, watermarks: boundedOutOfOrderness(1_000), uid: 'entry' }),
 *   keyBy((c) => c.page),
 *   window(tumblingEventTimeWindows(60_000), { uid: 'per-minute' }).aggregate(count()),
 *   // Runs once the checkpoint is stored. A restore may commit the last checkpoint again, so
 *   // `store.commit` keeps the id with the counts and ignores an id it already has.
 *   exactlyOnceSink((counts, checkpointId) => store.commit(checkpointId, counts), { uid: 'results' }),
 * ).subscribe();
 * ```
 */
export function exactlyOnceSink<T, K = undefined>(
  commit: (values: readonly T[], checkpointId: number) => ObservableInput<unknown>,
  options: ExactlyOnceSinkOptions,
): OperatorFunction<StreamBatch<T, K>, StreamBatch<T, K>> {
  if (typeof commit !== 'function')
    throw new InvalidOptionError('commit', commit, 'must be a function (values, checkpointId) => Promise');
  if (options?.uid === undefined)
    throw new InvalidOptionError('uid', undefined, 'is required: the sink stores its uncommitted results under it');
  checkUid(options.uid);
  const uid = options.uid;
  return (source) =>
    new Observable<StreamBatch<T, K>>((subscriber) => {
      // Commits run one after the other, in checkpoint order.
      let commits: Promise<void> = Promise.resolve();
      let inputDone = false;
      let failed = false;
      const fail = (error: unknown): void => {
        if (failed) return;
        failed = true;
        // The coordinator learns the real cause (a CommitError, an error from upstream), so that
        // whenFinished() and checkpoint() reject with it.
        reportPipelineFailure(operator, error, operator.checkpoint);
        subscriber.error(error);
      };
      const completeWhenCommitted = (): void => {
        if (!inputDone || failed || operator.uncommitted > 0) return;
        void commits.then(() => {
          if (!failed && operator.uncommitted === 0) subscriber.complete();
        });
      };
      const operator = new ExactlyOnceSinkOperator<T, K>(uid, (transaction) => {
        commits = commits.then(async () => {
          if (failed) return;
          try {
            await lastValueFrom(
              rxFrom(commit(transaction.values, transaction.checkpointId)).pipe(defaultIfEmpty(undefined)),
            );
          } catch (error) {
            fail(new CommitError(uid, transaction.checkpointId, error));
            return;
          }
          operator.committed(transaction);
          completeWhenCommitted();
        });
        return commits;
      });
      const subscription = source.subscribe({
        next: (batch) => {
          const out: StreamElement<T, K>[] = [];
          try {
            processBatch(operator, batch, out);
          } catch (error) {
            fail(error);
            return;
          }
          if (out.length > 0) subscriber.next(out);
        },
        error: fail,
        complete: () => {
          inputDone = true;
          operator.endOfInput();
          completeWhenCommitted();
        },
      });
      return () => subscription.unsubscribe();
    });
}

/** The engine of `exactlyOnceSink`: transactions per checkpoint, as plain state. */
class ExactlyOnceSinkOperator<T, K> implements StreamOperator<T, K, T, K> {
  /** The name monitoring shows (kept by minifiers, unlike the class name). */
  readonly operatorName = 'ExactlyOnceSink';
  readonly stateVersion = 1;
  #current: T[] = [];
  /** Pre-committed transactions (their checkpoint is being stored or committing), oldest first. */
  #pending: Transaction<T>[] = [];
  /** Pending transactions whose commit has started. */
  readonly #started = new Set<Transaction<T>>();
  /** The commit started last: commits run in order, so it settles after every other. */
  #lastCommit: Promise<void> = Promise.resolve();
  /** The last checkpoint whose barrier passed: how a failure reaches the coordinator. */
  checkpoint: PendingCheckpoint | undefined;

  readonly #startCommit: (transaction: Transaction<T>) => Promise<void>;

  /** `startCommit` queues a transaction's commit; its promise settles once the commit is done or failed. */
  constructor(
    readonly uid: string,
    startCommit: (transaction: Transaction<T>) => Promise<void>,
  ) {
    this.#startCommit = startCommit;
  }

  /** Transactions not yet committed. */
  get uncommitted(): number {
    return this.#pending.length + (this.#current.length > 0 ? 1 : 0);
  }

  processRecord(record: StreamRecord<T, K>, out: Output<T, K>): void {
    this.#current.push(record.value);
    out.push(record);
  }

  snapshotCheckpoint(checkpoint: PendingCheckpoint): OperatorStateSnapshot {
    this.checkpoint = checkpoint;
    if (this.#current.length > 0) this.#pending.push({ checkpointId: checkpoint.checkpointId, values: this.#current });
    this.#current = [];
    // Flink's TwoPhaseCommitSinkFunction: a completed checkpoint commits every transaction up to it,
    // including those of earlier checkpoints that failed (under tolerableFailures) and never completed.
    // The listener's promise lets the end of the pipeline wait for commits still running.
    if (this.#pending.length > 0) checkpoint.onComplete((id) => this.#commitThrough(id));
    // No copy here: the checkpoint copies what it is given.
    return { stateVersion: this.stateVersion, state: { pending: this.#pending } };
  }

  /** Starts the commits up to `checkpointId`; resolves once every commit started so far is done. */
  #commitThrough(checkpointId: number): Promise<void> {
    for (const transaction of this.#pending) {
      if (transaction.checkpointId <= checkpointId && !this.#started.has(transaction)) this.#start(transaction);
    }
    return this.#lastCommit;
  }

  #start(transaction: Transaction<T>): void {
    this.#started.add(transaction);
    this.#lastCommit = this.#startCommit(transaction);
  }

  restoreCheckpoint(snapshot: OperatorStateSnapshot): void {
    const state = snapshot.state as { pending?: unknown } | null;
    if (typeof state !== 'object' || state === null || !Array.isArray(state.pending)) {
      throw new StateRestoreError(
        this.uid,
        'expected the state of an exactlyOnceSink: { pending: [{ checkpointId, values }] }',
      );
    }
    const check = new RestoreChecks(this.uid);
    const pending = state.pending.map((t, i): Transaction<T> => {
      const transaction = check.object(t, `state.pending[${i}]`);
      const checkpointId = check.integer(transaction['checkpointId'], `state.pending[${i}].checkpointId`);
      return { checkpointId, values: check.array(transaction['values'], `state.pending[${i}].values`) as T[] };
    });
    this.#current = [];
    this.#pending = pending;
    // Their checkpoint is stored, but the crash may have come before or during their commit.
    for (const transaction of this.#pending) this.#start(transaction);
  }

  /** Without a final checkpoint (no checkpointing), what is left is committed under id 0. */
  endOfInput(): void {
    if (this.#current.length === 0) return;
    const transaction: Transaction<T> = { checkpointId: 0, values: this.#current };
    this.#current = [];
    this.#pending.push(transaction);
    this.#start(transaction);
  }

  committed(transaction: Transaction<T>): void {
    const index = this.#pending.indexOf(transaction);
    if (index >= 0) this.#pending.splice(index, 1);
    this.#started.delete(transaction);
  }
}
