/**
 * The checkpoint coordinator (docs/architecture.md §4), in the spirit of Flink's CheckpointCoordinator, for one
 * pipeline in one process: it restores the pipeline from a stored snapshot, triggers checkpoints on
 * processing time, injects their barriers at every source, collects what the operators report as
 * the barriers pass them, and stores each complete checkpoint as one unit.
 *
 * How a checkpoint runs:
 * 1. Every source is paused, then each gets the barrier as soon as it is between two batches, and
 *    records its position there. Pausing keeps a source that got its barrier early from running
 *    ahead while another finishes a slow read, so merges never have much to hold back.
 * 2. The barrier travels in-band. Delivery is synchronous up to the first asynchronous boundary, so
 *    when a source's `next` returns, every operator up to there has reported; stages that keep the
 *    barrier (async map and sinks waiting for requests in flight, a merge aligning its inputs) hold
 *    the checkpoint until they let it go.
 * 3. When every source has its barrier and nothing holds it, the snapshot is complete: it is saved
 *    through the backend as one unit, and only then do sinks commit (`onComplete`).
 * One checkpoint runs at a time; a trigger that comes while one runs is skipped and counted.
 *
 * The end of input: when the last running source has read everything, the coordinator sends the
 * end of event time and a final barrier from it, so the last checkpoint holds the finished state and
 * commits the last results (Flink's FLIP-147). Restoring it gives a pipeline with nothing left to do.
 *
 * `Checkpointing` is the façade: it links the sources, triggers on the interval, starts the final
 * checkpoint and fails the pipeline as a whole; each checkpoint, from trigger to store, is run by
 * checkpoint-runner.ts.
 */

import type { Observable, SchedulerLike, Subscription } from 'rxjs';
import { PIPELINE_CONTROL, RESTORE_CONTROL, type PipelineLink } from '../core/checkpointing.js';
import { END_OF_STREAM, type ControlElement } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import type { CheckpointBackend, StoredSnapshotInfo } from './backend-types.js';
import { CheckpointRunner, type RunnerHooks } from './checkpoint-runner.js';
import {
  checkpointingSettings,
  type CheckpointableSource,
  type CheckpointingOptions,
  type CheckpointStats,
} from './checkpointing-options.js';
import { PipelineStoppedError, UnclaimedStateError } from './errors-inband.js';
import { RestoreState } from './restore-state.js';
import type { Request } from './running-checkpoint.js';
import { SourceState, type SourceHooks } from './source-link.js';
import type { Snapshot, SnapshotKind } from './snapshot.js';

/**
 * A running pipeline's checkpoints: declares its sources (`source`), triggers checkpoints on the
 * scheduler, and takes savepoints on request. Create it with `startCheckpointing`.
 */
export class Checkpointing {
  /** The snapshot the pipeline was restored from, if any. */
  declare readonly restored: Snapshot | undefined;
  readonly #backend: CheckpointBackend;
  readonly #scheduler: SchedulerLike;
  readonly #interval: number;
  readonly #allowUnclaimed: boolean;
  readonly #links = new Map<string, SourceState>();
  /** Each source's pipeline element: the metrics know its run by it. */
  readonly #linkOf = new WeakMap<SourceState, object>();
  /** Triggers, collects and stores the checkpoints, one at a time (checkpoint-runner.ts). */
  readonly #runner: CheckpointRunner;
  #restoreSource: RestoreState | undefined;
  /** The last source to finish, waiting for the final checkpoint once the running one is stored. */
  #final: SourceState | undefined;
  #timer: Subscription | undefined;
  /** What every operator of the pipeline reports its failure to (the pipeline control element). */
  readonly #pipelineLink: PipelineLink;
  /** Set once the pipeline failed (or stopped before its end): the error everything rejects with. */
  #failure: { error: unknown } | undefined;
  #finished: {
    promise: Promise<StoredSnapshotInfo | undefined>;
    resolve: (info: StoredSnapshotInfo | undefined) => void;
    reject: (error: unknown) => void;
  };

  // What the sources' links and the runner may ask of the coordinator, and nothing else.
  readonly #sourceHooks: SourceHooks = {
    connected: (state) => this.#connected(state),
    disconnected: (state) => this.#disconnected(state),
    finishing: (state, position) => this.#finishing(state, position),
  };
  readonly #runnerHooks: RunnerHooks = {
    links: this.#links,
    failAll: (error) => this.#failAll(error),
    idle: () => this.#triggerFinal(),
  };

  /** Every checkpoint or savepoint once it is stored. */
  declare readonly completed: Observable<StoredSnapshotInfo>;

  constructor(options: CheckpointingOptions, restored: Snapshot | undefined, lastStoredId: number) {
    this.restored = restored;
    this.#backend = options.backend;
    const settings = checkpointingSettings(options);
    this.#scheduler = settings.scheduler;
    this.#interval = settings.interval;
    this.#allowUnclaimed = settings.allowUnclaimedState;
    this.#pipelineLink = { fail: (error) => this.#failAll(error), metrics: settings.metrics };
    this.#runner = new CheckpointRunner(this.#backend, settings, lastStoredId, this.#runnerHooks);
    this.completed = this.#runner.completed;
    if (restored !== undefined) this.#restoreSource = new RestoreState(restored, settings.migrate, options.keyGroups);
    let resolve!: (info: StoredSnapshotInfo | undefined) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<StoredSnapshotInfo | undefined>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    promise.catch(() => undefined); // observed through whenFinished()
    this.#finished = { promise, resolve, reject };
  }

  /**
   * Where the source declared as `id` resumes: its position in the restored snapshot, or undefined on
   * a fresh start (or for a source the snapshot does not know). Pass it as the source's `from`.
   */
  position<P>(id: string): P | undefined {
    return this.restored?.sources[id] as P | undefined;
  }

  /**
   * Declares a source of the pipeline under a stable `id` and returns its batches with barriers and
   * restore markers in place (as marker batches, which the entry operators `withEventTime` /
   * `withEventTimeBatches` turn into elements). Create the source to resume at `position(id)`.
   *
   * @example
   * ```ts
   * const lines$ = checkpoints.source('lines', readTextFileWithOffsets(path, { from: checkpoints.position('lines') }));
   * ```
   */
  source<T>(id: string, source: CheckpointableSource<T>): Observable<readonly T[]> {
    if (typeof id !== 'string' || id === '') throw new InvalidOptionError('id', id, 'must be a non-empty string');
    if (this.#links.has(id))
      throw new InvalidOptionError('id', id, 'is already the id of another source of this pipeline');
    if (typeof (source as { withCheckpoints?: unknown } | null)?.withCheckpoints !== 'function') {
      throw new InvalidOptionError(
        'source',
        source,
        'must be a source of this library (fromIterable, fromAsyncIterable, readTextFileWithOffsets, fromPush, ...): they let barriers in between batches',
      );
    }
    const state = new SourceState(id, this.#sourceHooks);
    this.#links.set(id, state);
    if (this.#restoreSource !== undefined) this.#restoreSource.pendingSources.add(id);
    return source.withCheckpoints(state);
  }

  /**
   * Takes a checkpoint now (after the one running, if any). Resolves once it is stored; rejects when
   * it fails, or with the pipeline's error when the pipeline fails or stops first.
   *
   * @example
   * const info = await checkpoints.checkpoint();
   */
  checkpoint(): Promise<StoredSnapshotInfo> {
    return this.#request('checkpoint', undefined);
  }

  /**
   * Takes a savepoint: a full, named snapshot that retention never deletes, in the documented
   * format (see `Snapshot`), to restore later with `restore: { name }`.
   */
  savepoint(name: string): Promise<StoredSnapshotInfo> {
    if (typeof name !== 'string' || name === '')
      throw new InvalidOptionError('name', name, 'must be a non-empty string');
    return this.#request('savepoint', name);
  }

  get stats(): CheckpointStats {
    return this.#runner.stats;
  }

  /**
   * Resolves once every source has finished, the final checkpoint is stored and the sinks' commits
   * of it are done (with its info, or undefined on a read-only backend). Rejects with the error that
   * failed the pipeline: a failed save, a `CommitError`, an error at a barrier or one that reached a
   * sink, or `PipelineStoppedError` when the pipeline was unsubscribed before its end.
   *
   * @example
   * const final = await checkpoints.whenFinished(); // every result is committed
   */
  whenFinished(): Promise<StoredSnapshotInfo | undefined> {
    return this.#finished.promise;
  }

  /** Stops triggering checkpoints. Stored checkpoints stay; the backend stays open. */
  stop(): void {
    this.#timer?.unsubscribe();
    this.#timer = undefined;
  }

  /**
   * Stops checkpointing, waits for the checkpoint being stored (if any), and closes the backend. A
   * checkpoint still running cannot be stored any more: its timeout is cancelled, so that no timer
   * keeps the process alive.
   */
  async close(): Promise<void> {
    this.stop();
    this.#runner.running?.timeout?.unsubscribe();
    await this.#runner.stored;
    await this.#backend.close();
  }

  // ---- called by the sources' links (through #sourceHooks) ----

  /** A source subscribed; returns the pipeline's failure when the subscription is refused. */
  #connected(state: SourceState): { readonly error: unknown } | undefined {
    // After a failure, a new subscription would run operators that never got the restored state.
    if (this.#failure !== undefined) return this.#failure;
    // The pipeline link goes first, then the restore marker, before any record of this subscription.
    const link: ControlElement = { kind: 'control', type: PIPELINE_CONTROL, payload: this.#pipelineLink };
    // The source heads the job graph (docs/monitoring.md): each operator this element passes joins it.
    this.#pipelineLink.metrics?.joinSource(state.id, state.port!.stats, link);
    state.port!.inject([link]);
    this.#linkOf.set(state, link);
    const restore = this.#restoreSource;
    if (restore?.pendingSources.has(state.id)) {
      const marker: ControlElement = { kind: 'control', type: RESTORE_CONTROL, payload: restore };
      state.port!.inject([marker], () => this.#restoreDelivered(state.id));
    }
    this.#startTimerIfReady();
    return undefined;
  }

  #disconnected(state: SourceState): void {
    const link = this.#linkOf.get(state);
    if (link) this.#pipelineLink.metrics?.leave(link); // (its run ended: docs/monitoring.md §2)
    // A source unsubscribed before its end stops the pipeline: the checkpoint running (wherever its
    // barriers are held) is aborted and nothing waits for what cannot come any more.
    if (!state.completed) this.#failAll(new PipelineStoppedError(state.id));
    if ([...this.#links.values()].every((s) => s.port === undefined)) this.stop();
  }

  #finishing(state: SourceState, position: unknown): void {
    state.finalPosition = { position };
    const running = this.#runner.running;
    if (running?.waitingFor.has(state.id)) this.#runner.sourceReached(running, state.id, position);
    if ([...this.#links.values()].some((s) => s.finalPosition === undefined)) {
      state.complete();
      return;
    }
    // The last source: it completes after the end of event time and the final checkpoint's barrier,
    // once the checkpoint running now (if any) is stored.
    this.stop();
    this.#final = state;
    this.#runner.next();
  }

  /** Nothing runs or saves (the runner asks): starts the final checkpoint if the last source waits for it. */
  #triggerFinal(): boolean {
    const state = this.#final;
    if (state === undefined) return false;
    this.#final = undefined;
    const port = state.port;
    if (port === undefined) return true;
    port.inject([END_OF_STREAM]);
    if (this.#backend.readOnlyReason !== undefined) {
      this.#finished.resolve(undefined);
      state.complete();
      return true;
    }
    // The source completes only once the final checkpoint is stored and its commits are done: if
    // either fails, the pipeline fails with its error instead of completing (a sink would wait
    // forever for its commit), and whenFinished() never claims a finish that did not happen.
    this.#runner.trigger(
      {
        kind: 'checkpoint',
        afterCommits: true,
        resolve: (info) => {
          this.#finished.resolve(info);
          state.complete();
        },
        reject: (error) => this.#failAll(error),
      },
      [state],
    );
    return true;
  }

  // ---- triggering ----

  #startTimerIfReady(): void {
    // A backend that another tab or process owns restores, but never writes.
    if (this.#timer !== undefined || this.#backend.readOnlyReason !== undefined) return;
    if ([...this.#links.values()].some((s) => s.port === undefined && s.finalPosition === undefined)) return;
    const scheduler = this.#scheduler;
    const interval = this.#interval;
    const tick = (): void => {
      this.#timer = scheduler.schedule(() => {
        this.#timer = undefined;
        this.#runner.periodic();
        if (this.#timer === undefined && !this.#stopped()) tick();
      }, interval);
    };
    tick();
  }

  #stopped(): boolean {
    return [...this.#links.values()].every((s) => s.finalPosition !== undefined || s.port === undefined);
  }

  #request(kind: SnapshotKind, name: string | undefined): Promise<StoredSnapshotInfo> {
    return new Promise<StoredSnapshotInfo>((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure.error);
        return;
      }
      const request: Request = { kind, name, manual: true, resolve, reject };
      this.#runner.request(request);
    });
  }

  #failAll(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.#pipelineLink.metrics?.exception(null, error);
    this.stop();
    this.#final = undefined;
    this.#runner.dropRunning(error);
    this.#finished.reject(error);
    for (const s of this.#links.values()) s.port?.fail(error);
    this.#runner.rejectWaiting(error);
  }

  #restoreDelivered(id: string): void {
    const restore = this.#restoreSource;
    if (restore === undefined) return;
    restore.pendingSources.delete(id);
    if (restore.pendingSources.size > 0) return;
    this.#restoreSource = undefined;
    if (this.#allowUnclaimed) return;
    const operators = Object.keys(restore.snapshot.operators).filter((uid) => !restore.claimed.has(uid));
    const sources = Object.keys(restore.snapshot.sources).filter((id) => !this.#links.has(id));
    if (operators.length > 0 || sources.length > 0)
      this.#failAll(new UnclaimedStateError(restore.snapshot.checkpointId, operators, sources));
  }
}
