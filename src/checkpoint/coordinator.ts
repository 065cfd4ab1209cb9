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
 */

import { Observable, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { PIPELINE_CONTROL, RESTORE_CONTROL, type PipelineLink } from '../core/checkpointing.js';
import { END_OF_STREAM, type CheckpointBarrier, type ControlElement } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import type { CheckpointBackend, SnapshotPlan, StoredSnapshotInfo } from './backend-types.js';
import { checkpointingSettings, type CheckpointableSource, type CheckpointingOptions, type CheckpointStats } from './checkpointing-options.js';
import { CheckpointAbortedError, PipelineStoppedError, UnclaimedStateError } from './errors-inband.js';
import { RestoreState, type StateMigration } from './restore-state.js';
import { RunningCheckpoint, type Request, type RunningHooks } from './running-checkpoint.js';
import { SourceState, type SourceHooks } from './source-link.js';
import type { Snapshot, SnapshotKind } from './snapshot.js';

/**
 * A running pipeline's checkpoints: declares its sources (`source`), triggers checkpoints on the
 * scheduler, and takes savepoints on request. Create it with `startCheckpointing`.
 */
export class Checkpointing {
  /** The snapshot the pipeline was restored from, if any. */
  readonly restored: Snapshot | undefined;
  readonly #backend: CheckpointBackend;
  readonly #scheduler: SchedulerLike;
  readonly #interval: number;
  readonly #timeout: number;
  readonly #tolerable: number;
  readonly #incremental: boolean;
  readonly #allowUnclaimed: boolean;
  readonly #migrate: StateMigration | undefined;
  readonly #links = new Map<string, SourceState>();
  readonly #completed = new Subject<StoredSnapshotInfo>();
  #restoreSource: RestoreState | undefined;
  #nextId: number;
  #plan: SnapshotPlan = { mode: 'full' };
  #forceFull = true;
  #running: RunningCheckpoint | undefined;
  #saving = false;
  /** The save in progress (or the last one), settled. */
  #stored: Promise<void> = Promise.resolve();
  /** The last source to finish, waiting for the final checkpoint once the running one is stored. */
  #final: SourceState | undefined;
  #requests: Request[] = [];
  #timer: Subscription | undefined;
  #failuresInRow = 0;
  /** What every operator of the pipeline reports its failure to (the pipeline control element). */
  readonly #pipelineLink: PipelineLink = { fail: (error) => this.#failAll(error) };
  /** Set once the pipeline failed (or stopped before its end): the error everything rejects with. */
  #failure: { error: unknown } | undefined;
  #stats: { completed: number; failed: number; skipped: number; lastDurationMs: number | undefined; lastCheckpoint: StoredSnapshotInfo | undefined } = {
    completed: 0, failed: 0, skipped: 0, lastDurationMs: undefined, lastCheckpoint: undefined,
  };
  #finished: { promise: Promise<StoredSnapshotInfo | undefined>; resolve: (info: StoredSnapshotInfo | undefined) => void; reject: (error: unknown) => void };

  // What the sources' links and the running checkpoint may ask of the coordinator, and nothing else.
  readonly #sourceHooks: SourceHooks = {
    connected: (state) => this.#connected(state),
    disconnected: (state) => this.#disconnected(state),
    finishing: (state, position) => this.#finishing(state, position),
  };
  readonly #runningHooks: RunningHooks = {
    maybeComplete: (running) => this.#maybeComplete(running),
    pipelineFailed: (error) => this.#failAll(error),
  };

  /** Every checkpoint or savepoint once it is stored. */
  readonly completed: Observable<StoredSnapshotInfo> = this.#completed.asObservable();

  constructor(options: CheckpointingOptions, restored: Snapshot | undefined, lastStoredId: number) {
    this.restored = restored;
    this.#backend = options.backend;
    const settings = checkpointingSettings(options);
    this.#scheduler = settings.scheduler;
    this.#interval = settings.interval;
    this.#timeout = settings.timeout;
    this.#tolerable = settings.tolerableFailures;
    this.#incremental = settings.incremental;
    this.#allowUnclaimed = settings.allowUnclaimedState;
    this.#migrate = settings.migrate;
    this.#nextId = lastStoredId + 1;
    if (restored !== undefined) this.#restoreSource = new RestoreState(restored, this.#migrate);
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
    if (this.#links.has(id)) throw new InvalidOptionError('id', id, 'is already the id of another source of this pipeline');
    if (typeof (source as { withCheckpoints?: unknown } | null)?.withCheckpoints !== 'function') {
      throw new InvalidOptionError('source', source, 'must be a source of this library (fromIterable, fromAsyncIterable, readTextFileWithOffsets, fromPush, ...): they let barriers in between batches');
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
    if (typeof name !== 'string' || name === '') throw new InvalidOptionError('name', name, 'must be a non-empty string');
    return this.#request('savepoint', name);
  }

  get stats(): CheckpointStats {
    return { ...this.#stats };
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
    this.#running?.timeout?.unsubscribe();
    await this.#stored;
    await this.#backend.close();
  }

  // ---- called by the sources' links (through #sourceHooks) ----

  /** A source subscribed; returns the pipeline's failure when the subscription is refused. */
  #connected(state: SourceState): { readonly error: unknown } | undefined {
    // After a failure, a new subscription would run operators that never got the restored state.
    if (this.#failure !== undefined) return this.#failure;
    // The pipeline link goes first, then the restore marker, before any record of this subscription.
    state.port!.inject([{ kind: 'control', type: PIPELINE_CONTROL, payload: this.#pipelineLink }]);
    const restore = this.#restoreSource;
    if (restore !== undefined && restore.pendingSources.has(state.id)) {
      const marker: ControlElement = { kind: 'control', type: RESTORE_CONTROL, payload: restore };
      state.port!.inject([marker], () => this.#restoreDelivered(state.id));
    }
    this.#startTimerIfReady();
    return undefined;
  }

  #disconnected(state: SourceState): void {
    // A source unsubscribed before its end stops the pipeline: the checkpoint running (wherever its
    // barriers are held) is aborted and nothing waits for what cannot come any more.
    if (!state.completed) this.#failAll(new PipelineStoppedError(state.id));
    if ([...this.#links.values()].every((s) => s.port === undefined)) this.stop();
  }

  #finishing(state: SourceState, position: unknown): void {
    state.finalPosition = { position };
    const running = this.#running;
    if (running !== undefined && running.waitingFor.has(state.id)) this.#sourceReached(running, state.id, position);
    if ([...this.#links.values()].some((s) => s.finalPosition === undefined)) {
      state.complete();
      return;
    }
    // The last source: it completes after the end of event time and the final checkpoint's barrier,
    // once the checkpoint running now (if any) is stored.
    this.stop();
    this.#final = state;
    this.#next();
  }

  #triggerFinal(state: SourceState): void {
    const port = state.port;
    if (port === undefined) return;
    port.inject([END_OF_STREAM]);
    if (this.#backend.readOnlyReason !== undefined) {
      this.#finished.resolve(undefined);
      state.complete();
      return;
    }
    // The source completes only once the final checkpoint is stored and its commits are done: if
    // either fails, the pipeline fails with its error instead of completing (a sink would wait
    // forever for its commit), and whenFinished() never claims a finish that did not happen.
    this.#trigger({
      kind: 'checkpoint',
      afterCommits: true,
      resolve: (info) => {
        this.#finished.resolve(info);
        state.complete();
      },
      reject: (error) => this.#failAll(error),
    }, [state]);
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
        this.#periodic();
        if (this.#timer === undefined && !this.#stopped()) tick();
      }, interval);
    };
    tick();
  }

  #stopped(): boolean {
    return [...this.#links.values()].every((s) => s.finalPosition !== undefined || s.port === undefined);
  }

  #periodic(): void {
    if (this.#running !== undefined || this.#saving) {
      this.#stats.skipped++;
      return;
    }
    this.#trigger(undefined);
  }

  #request(kind: SnapshotKind, name: string | undefined): Promise<StoredSnapshotInfo> {
    return new Promise<StoredSnapshotInfo>((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure.error);
        return;
      }
      const request: Request = { kind, name, manual: true, resolve, reject };
      if (this.#running !== undefined || this.#saving) this.#requests.push(request);
      else this.#trigger(request);
    });
  }

  #trigger(request: Request | undefined, only?: readonly SourceState[]): void {
    const sources = only ?? [...this.#links.values()].filter((s) => s.finalPosition === undefined);
    if (sources.length === 0 || sources.some((s) => s.port === undefined)) {
      this.#stats.skipped++;
      const why = sources.length === 0 ? 'every source of the pipeline has finished (the final checkpoint holds its end)' : 'not every source of the pipeline is running';
      request?.reject(new CheckpointAbortedError(this.#nextId, why));
      return;
    }
    const id = this.#nextId++;
    const kind = request?.kind ?? 'checkpoint';
    const incremental = kind === 'checkpoint' && this.#incremental && !this.#forceFull && this.#plan.mode === 'incremental';
    const now = this.#scheduler.now();
    const running = new RunningCheckpoint(this.#runningHooks, id, kind, request, incremental, now);
    for (const s of this.#links.values()) if (s.finalPosition !== undefined) running.sources[s.id] = s.finalPosition.position;
    for (const s of sources) running.waitingFor.add(s.id);
    this.#running = running;
    running.timeout = this.#scheduleTimeout(running);
    const barrier: CheckpointBarrier = { kind: 'barrier', checkpointId: id, checkpoint: running };
    for (const s of sources) s.port!.pause();
    for (const s of sources) s.port!.inject([barrier], (position) => this.#sourceReached(running, s.id, position));
  }

  #scheduleTimeout(running: RunningCheckpoint): Subscription | undefined {
    return this.#scheduler.schedule(() => {
      if (this.#running === running) {
        this.#abort(running, new CheckpointAbortedError(running.checkpointId, `it was still waiting after ${this.#timeout} ms for ${running.describeWaiting()}`));
      }
    }, this.#timeout);
  }

  #sourceReached(running: RunningCheckpoint, id: string, position: unknown): void {
    if (!running.waitingFor.delete(id)) return;
    running.sources[id] = position;
    if (running.waitingFor.size === 0) {
      // Every source has its barrier: they may run again.
      for (const s of this.#links.values()) s.port?.resume();
    }
    this.#maybeComplete(running);
  }

  #maybeComplete(running: RunningCheckpoint): void {
    if (this.#running !== running || running.waitingFor.size > 0 || running.holds.size > 0) return;
    this.#running = undefined;
    running.timeout?.unsubscribe();
    running.done = true;
    const snapshot = running.toSnapshot(this.#backend.pipelineId, this.#plan);
    this.#saving = true;
    this.#stored = this.#backend.save(snapshot).then(
      // Before a sink commits anything, the backend records that this checkpoint's output may be
      // visible, so that a restore never falls back past it silently (CommittedCheckpointLostError).
      (info) => running.listeners.length === 0 ? info : this.#backend.recordCommit(info.checkpointId).then(() => info),
    ).then(
      (info) => {
        this.#saving = false;
        this.#failuresInRow = 0;
        this.#forceFull = false;
        this.#stats.completed++;
        this.#stats.lastDurationMs = this.#scheduler.now() - running.startedAt;
        this.#stats.lastCheckpoint = info;
        const commits = Promise.all(running.listeners.map((listener) => listener(info.checkpointId)));
        const request = running.request;
        if (request?.afterCommits === true) void commits.then(() => request.resolve(info), (error: unknown) => this.#failAll(error));
        else request?.resolve(info);
        this.#completed.next(info);
        return this.#backend.plan().then((plan) => {
          this.#plan = plan;
        });
      },
      (error: unknown) => {
        this.#saving = false;
        this.#failed(running, error);
      },
    ).catch((error: unknown) => this.#failAll(error)).finally(() => this.#next());
  }

  #next(): void {
    if (this.#running !== undefined || this.#saving) return;
    const final = this.#final;
    if (final !== undefined) {
      this.#final = undefined;
      this.#triggerFinal(final);
      return;
    }
    const request = this.#requests.shift();
    if (request !== undefined) this.#trigger(request);
  }

  #abort(running: RunningCheckpoint, error: CheckpointAbortedError): void {
    if (this.#running !== running) return;
    this.#running = undefined;
    running.timeout?.unsubscribe();
    running.done = true;
    for (const s of this.#links.values()) s.port?.resume();
    this.#failed(running, error);
    this.#next();
  }

  #failed(running: RunningCheckpoint, error: unknown): void {
    // The keyed changes the operators handed over are lost with this checkpoint: the next is full.
    this.#forceFull = true;
    this.#stats.failed++;
    running.request?.reject(error);
    if (running.request?.manual === true) return;
    this.#failuresInRow++;
    if (this.#failuresInRow > this.#tolerable) this.#failAll(error);
  }

  #failAll(error: unknown): void {
    if (this.#failure !== undefined) return;
    this.#failure = { error };
    this.stop();
    this.#final = undefined;
    const running = this.#running;
    if (running !== undefined) {
      // Its barriers may be held anywhere downstream; they are released or dropped with the pipeline.
      this.#running = undefined;
      running.timeout?.unsubscribe();
      running.done = true;
      running.request?.reject(error);
    }
    this.#finished.reject(error);
    for (const s of this.#links.values()) s.port?.fail(error);
    for (const request of this.#requests.splice(0)) request.reject(error);
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
    if (operators.length > 0 || sources.length > 0) this.#failAll(new UnclaimedStateError(restore.snapshot.checkpointId, operators, sources));
  }
}

