/**
 * One checkpoint at a time, from its trigger to its store (docs/architecture.md §4), for the
 * coordinator (coordinator.ts): pauses the sources and injects the barriers, waits for every source
 * and every hold, saves the snapshot as one unit, lets the sinks commit, and queues what was asked
 * for meanwhile. Failed checkpoints are counted; beyond the tolerated ones the pipeline fails.
 */

import { Subject, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { CheckpointBarrier } from '../core/elements.js';
import type { CheckpointBackend, SnapshotPlan, StoredSnapshotInfo } from './backend-types.js';
import type { CheckpointingSettings, CheckpointStats } from './checkpointing-options.js';
import { CheckpointAbortedError } from './errors-inband.js';
import { RunningCheckpoint, type Request, type RunningHooks } from './running-checkpoint.js';
import type { SourceState } from './source-link.js';

/** What the runner asks of the coordinator. */
export interface RunnerHooks {
  /** The pipeline's declared sources, by id. */
  readonly links: ReadonlyMap<string, SourceState>;
  /** Fails the whole pipeline with `error`. */
  failAll(error: unknown): void;
  /** Nothing runs or saves: the coordinator may start the final checkpoint; true when it did. */
  idle(): boolean;
}

/**
 * Triggers, collects and stores the checkpoints of one pipeline, one at a time. It is what the
 * running checkpoint reports to (`RunningHooks`).
 */
export class CheckpointRunner implements RunningHooks {
  readonly #backend: CheckpointBackend;
  readonly #settings: CheckpointingSettings;
  readonly #scheduler: SchedulerLike;
  readonly #hooks: RunnerHooks;
  readonly #completed = new Subject<StoredSnapshotInfo>();
  #nextId: number;
  #plan: SnapshotPlan = { mode: 'full' };
  #forceFull = true;
  #running: RunningCheckpoint | undefined;
  #saving = false;
  /** The save in progress (or the last one), settled. */
  #stored: Promise<void> = Promise.resolve();
  #requests: Request[] = [];
  #failuresInRow = 0;
  #stats: {
    completed: number;
    failed: number;
    skipped: number;
    lastDurationMs: number | undefined;
    lastCheckpoint: StoredSnapshotInfo | undefined;
  } = {
    completed: 0,
    failed: 0,
    skipped: 0,
    lastDurationMs: undefined,
    lastCheckpoint: undefined,
  };

  /** Every checkpoint or savepoint once it is stored. */
  readonly completed: Observable<StoredSnapshotInfo> = this.#completed.asObservable();

  constructor(backend: CheckpointBackend, settings: CheckpointingSettings, lastStoredId: number, hooks: RunnerHooks) {
    this.#backend = backend;
    this.#settings = settings;
    this.#scheduler = settings.scheduler;
    this.#nextId = lastStoredId + 1;
    this.#hooks = hooks;
  }

  /** The checkpoint between its trigger and its completion, if any. */
  get running(): RunningCheckpoint | undefined {
    return this.#running;
  }

  /** The save in progress (or the last one), settled. */
  get stored(): Promise<void> {
    return this.#stored;
  }

  get stats(): CheckpointStats {
    return { ...this.#stats };
  }

  /** A checkpoint runs or is being saved: a new one has to wait. */
  #busy(): boolean {
    return this.#running !== undefined || this.#saving;
  }

  /** The interval elapsed: a checkpoint now, or a skip (counted) while one runs. */
  periodic(): void {
    if (this.#busy()) {
      this.#stats.skipped++;
      return;
    }
    this.trigger(undefined);
  }

  /** A checkpoint or savepoint asked for: now, or after the one running. */
  request(request: Request): void {
    if (this.#busy()) this.#requests.push(request);
    else this.trigger(request);
  }

  /** Starts a checkpoint at every running source (or at `only`). */
  trigger(request: Request | undefined, only?: readonly SourceState[]): void {
    const links = this.#hooks.links;
    const sources = only ?? [...links.values()].filter((s) => s.finalPosition === undefined);
    if (sources.length === 0 || sources.some((s) => s.port === undefined)) {
      this.#stats.skipped++;
      const why =
        sources.length === 0
          ? 'every source of the pipeline has finished (the final checkpoint holds its end)'
          : 'not every source of the pipeline is running';
      request?.reject(new CheckpointAbortedError(this.#nextId, why));
      return;
    }
    const id = this.#nextId++;
    const kind = request?.kind ?? 'checkpoint';
    const incremental =
      kind === 'checkpoint' && this.#settings.incremental && !this.#forceFull && this.#plan.mode === 'incremental';
    const now = this.#scheduler.now();
    const running = new RunningCheckpoint(this, id, kind, request, incremental, now);
    this.#settings.metrics?.checkpoints.triggered(id, kind, incremental, now);
    for (const s of links.values()) if (s.finalPosition !== undefined) running.sources[s.id] = s.finalPosition.position;
    for (const s of sources) running.waitingFor.add(s.id);
    this.#running = running;
    running.timeout = this.#scheduleTimeout(running);
    const barrier: CheckpointBarrier = { kind: 'barrier', checkpointId: id, checkpoint: running };
    for (const s of sources) s.port!.pause();
    for (const s of sources) s.port!.inject([barrier], (position) => this.sourceReached(running, s.id, position));
  }

  #scheduleTimeout(running: RunningCheckpoint): Subscription | undefined {
    const timeout = this.#settings.timeout;
    return this.#scheduler.schedule(() => {
      if (this.#running === running) {
        this.#abort(
          running,
          new CheckpointAbortedError(
            running.checkpointId,
            `it was still waiting after ${timeout} ms for ${running.describeWaiting()}`,
          ),
        );
      }
    }, timeout);
  }

  /** The barrier of `running` reached source `id` at `position`. */
  sourceReached(running: RunningCheckpoint, id: string, position: unknown): void {
    if (!running.waitingFor.delete(id)) return;
    running.sources[id] = position;
    if (running.waitingFor.size === 0) {
      this.#settings.metrics?.checkpoints.barriersSent(running.checkpointId, this.#scheduler.now());
      // Every source has its barrier: they may run again.
      for (const s of this.#hooks.links.values()) s.port?.resume();
    }
    this.maybeComplete(running);
  }

  /** A hold was released or a source reached: stores `running` once nothing waits. */
  maybeComplete(running: RunningCheckpoint): void {
    if (this.#running !== running || running.waitingFor.size > 0 || running.holds.size > 0) return;
    this.#running = undefined;
    running.timeout?.unsubscribe();
    running.done = true;
    const snapshot = running.toSnapshot(this.#backend.pipelineId, this.#plan);
    const metrics = this.#settings.metrics?.checkpoints;
    metrics?.saving(running.checkpointId, this.#scheduler.now());
    this.#saving = true;
    this.#stored = this.#backend
      .save(snapshot)
      .then(
        // Before a sink commits anything, the backend records that this checkpoint's output may be
        // visible, so that a restore never falls back past it silently (CommittedCheckpointLostError).
        (info) =>
          running.listeners.length === 0 ? info : this.#backend.recordCommit(info.checkpointId).then(() => info),
      )
      .then(
        (info) => {
          this.#saving = false;
          this.#failuresInRow = 0;
          this.#forceFull = false;
          this.#stats.completed++;
          this.#stats.lastDurationMs = this.#scheduler.now() - running.startedAt;
          this.#stats.lastCheckpoint = info;
          metrics?.stored(info.checkpointId, info.byteLength, info.chainLength > 0, this.#scheduler.now());
          const commits = Promise.all(running.listeners.map((listener) => listener(info.checkpointId)));
          const request = running.request;
          if (request?.afterCommits === true)
            void commits.then(
              () => request.resolve(info),
              (error: unknown) => this.#hooks.failAll(error),
            );
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
      )
      .catch((error: unknown) => this.#hooks.failAll(error))
      .finally(() => this.next());
  }

  /** Starts what waits (the final checkpoint first, then a request), once nothing runs. */
  next(): void {
    if (this.#busy() || this.#hooks.idle()) return;
    const request = this.#requests.shift();
    if (request !== undefined) this.trigger(request);
  }

  #abort(running: RunningCheckpoint, error: CheckpointAbortedError): void {
    if (this.#running !== running) return;
    this.#running = undefined;
    running.timeout?.unsubscribe();
    running.done = true;
    for (const s of this.#hooks.links.values()) s.port?.resume();
    this.#failed(running, error);
    this.next();
  }

  #failed(running: RunningCheckpoint, error: unknown): void {
    // The keyed changes the operators handed over are lost with this checkpoint: the next is full.
    this.#forceFull = true;
    this.#stats.failed++;
    this.#settings.metrics?.checkpoints.failedWith(running.checkpointId, error);
    running.request?.reject(error);
    if (running.request?.manual === true) return;
    this.#failuresInRow++;
    if (this.#failuresInRow > this.#settings.tolerableFailures) this.#hooks.failAll(error);
  }

  /** An operator or sink failed the pipeline (`PendingCheckpoint.fail`). */
  pipelineFailed(error: unknown): void {
    this.#hooks.failAll(error);
  }

  /** The pipeline failed: the running checkpoint is dropped, its request rejected with `error`. */
  dropRunning(error: unknown): void {
    const running = this.#running;
    if (running === undefined) return;
    // Its barriers may be held anywhere downstream; they are released or dropped with the pipeline.
    this.#running = undefined;
    running.timeout?.unsubscribe();
    running.done = true;
    this.#settings.metrics?.checkpoints.failedWith(running.checkpointId, error);
    running.request?.reject(error);
  }

  /** The pipeline failed: every request still waiting is rejected with `error`. */
  rejectWaiting(error: unknown): void {
    for (const request of this.#requests.splice(0)) request.reject(error);
  }
}
