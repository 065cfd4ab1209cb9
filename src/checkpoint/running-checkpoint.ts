/**
 * A checkpoint between its trigger and its completion, as the coordinator runs it (checkpoint-runner.ts):
 * the `PendingCheckpoint` its barriers carry, collecting what operators report and who holds it.
 */

import type { Subscription } from 'rxjs';
import { DuplicateUidError, type PendingCheckpoint } from '../core/checkpointing.js';
import type { SnapshotPlan, StoredSnapshotInfo } from './backend-types.js';
import { copyState } from '../state/serializable.js';
import { LateStateReportError } from './errors-inband.js';
import { STATE_CODECS } from './state-codecs.js';
import {
  isIncremental,
  SNAPSHOT_FORMAT_VERSION,
  type OperatorStateSnapshot,
  type Snapshot,
  type SnapshotKind,
} from './snapshot.js';

/** A checkpoint or savepoint asked for, and how to answer. */
export interface Request {
  readonly kind: SnapshotKind;
  readonly name?: string | undefined;
  /** Asked for by `checkpoint()` or `savepoint()`: its failure rejects the call, not the pipeline. */
  readonly manual?: boolean;
  /** Answered only once the commits the checkpoint started are done (the final checkpoint). */
  readonly afterCommits?: boolean;
  resolve(info: StoredSnapshotInfo): void;
  reject(error: unknown): void;
}

/** What a running checkpoint may ask of the coordinator. */
export interface RunningHooks {
  /** A hold was released: the checkpoint may be complete. */
  maybeComplete(running: RunningCheckpoint): void;
  /** The pipeline failed with `error`, as an operator or sink saw it (PendingCheckpoint.fail). */
  pipelineFailed(error: unknown): void;
}

/** A checkpoint between its trigger and its completion: what barriers carry. */
export class RunningCheckpoint implements PendingCheckpoint {
  readonly operators: Record<string, OperatorStateSnapshot> = {};
  readonly sources: Record<string, unknown> = {};
  readonly watermarks: Record<string, number> = {};
  readonly waitingFor = new Set<string>();
  readonly holds = new Map<number, string>();
  readonly listeners: ((checkpointId: number) => unknown)[] = [];
  /** The export code of operators that leave it to checkpoints (state-codecs.ts). */
  readonly codecs = STATE_CODECS;
  timeout: Subscription | undefined;
  done = false;
  #nextHold = 0;
  readonly #coordinator: RunningHooks;

  declare readonly checkpointId: number;
  declare readonly kind: SnapshotKind;
  declare readonly request: Request | undefined;
  declare readonly incremental: boolean;
  declare readonly startedAt: number;

  constructor(
    coordinator: RunningHooks,
    checkpointId: number,
    kind: SnapshotKind,
    request: Request | undefined,
    incremental: boolean,
    startedAt: number,
  ) {
    this.#coordinator = coordinator;
    this.checkpointId = checkpointId;
    this.kind = kind;
    this.request = request;
    this.incremental = incremental;
    this.startedAt = startedAt;
  }

  report(uid: string, state: OperatorStateSnapshot, operator: string, watermark?: number): void {
    if (this.done) throw new LateStateReportError(this.checkpointId, uid, operator);
    if (Object.hasOwn(this.operators, uid))
      throw new DuplicateUidError(uid, `is used by two operators of this pipeline (the second is ${operator})`);
    // A copy: the pipeline runs on while the checkpoint is stored, and an operator (or a user's
    // reduce function) may change in place an object that the state it reported refers to.
    this.operators[uid] = copyReported(state, uid);
    if (watermark !== undefined) this.watermarks[uid] = watermark;
  }

  hold(where: string): () => void {
    const token = this.#nextHold++;
    this.holds.set(token, where);
    return () => {
      if (!this.holds.delete(token)) return;
      this.#coordinator.maybeComplete(this);
    };
  }

  onComplete(listener: (checkpointId: number) => unknown): void {
    this.listeners.push(listener);
  }

  fail(error: unknown): void {
    this.#coordinator.pipelineFailed(error);
  }

  describeWaiting(): string {
    const parts = [
      ...[...this.waitingFor].map((id) => `the barrier at source ${JSON.stringify(id)}`),
      ...[...this.holds.values()].map((where) => `the barrier held by ${where}`),
    ];
    return parts.join(', ');
  }

  toSnapshot(pipelineId: string, plan: SnapshotPlan): Snapshot {
    const base = {
      formatVersion: SNAPSHOT_FORMAT_VERSION,
      pipelineId,
      checkpointId: this.checkpointId,
      kind: this.kind,
      name: this.request?.name,
      createdAt: this.startedAt,
      operators: this.operators,
      sources: this.sources,
      watermarks: this.watermarks,
    };
    const snapshot: Snapshot = base;
    if (!isIncremental(snapshot) || plan.mode !== 'incremental') return snapshot;
    return { ...base, parentCheckpointId: plan.parentCheckpointId };
  }
}

/**
 * A deep copy of what an operator reported (plain data; anything else is kept as it is, for the
 * backend to refuse with an error that names where it is). A cycle is a typed error naming the uid.
 */
function copyReported(state: OperatorStateSnapshot, uid: string): OperatorStateSnapshot {
  return copyState(state, { uid }, (other) => other, 'snapshot') as OperatorStateSnapshot;
}
