/**
 * The checkpoints of a pipeline, as the coordinator reports them: totals and the last 10 (as
 * Flink's checkpoint history keeps them). Times are processing times from the coordinator's
 * scheduler.
 */
import type { CheckpointMetrics } from './types.js';

/** How many checkpoints the history keeps, as Flink's `web.checkpoints.history` default. */
export const CHECKPOINT_HISTORY = 10;

interface Entry {
  id: number;
  kind: 'checkpoint' | 'savepoint';
  status: CheckpointMetrics['status'];
  triggerTime: number;
  barriersAt: number | null;
  savingAt: number | null;
  storedAt: number | null;
  bytes: number | null;
  incremental: boolean;
  failure: string | null;
}

export class CheckpointHistory {
  readonly #entries: Entry[] = [];
  completed = 0;
  failed = 0;

  /** A checkpoint was triggered at `time`. */
  triggered(id: number, kind: 'checkpoint' | 'savepoint', incremental: boolean, time: number): void {
    this.#entries.push({
      id,
      kind,
      status: 'in_progress',
      triggerTime: time,
      barriersAt: null,
      savingAt: null,
      storedAt: null,
      bytes: null,
      incremental,
      failure: null,
    });
    if (this.#entries.length > CHECKPOINT_HISTORY) this.#entries.shift();
  }

  /** Every source has sent the barrier of checkpoint `id`. */
  barriersSent(id: number, time: number): void {
    const e = this.#find(id);
    if (e !== undefined) e.barriersAt = time;
  }

  /** Nothing holds checkpoint `id` any more: the backend starts writing it. */
  saving(id: number, time: number): void {
    const e = this.#find(id);
    if (e === undefined) return;
    e.barriersAt ??= time;
    e.savingAt = time;
  }

  /** Checkpoint `id` is stored, `bytes` long (`incremental`: only the changes). */
  stored(id: number, bytes: number, incremental: boolean, time: number): void {
    this.completed++;
    const e = this.#find(id);
    if (e === undefined) return;
    e.status = 'completed';
    e.storedAt = time;
    e.bytes = bytes;
    e.incremental = incremental;
  }

  /** Checkpoint `id` failed with `error`. */
  failedWith(id: number, error: unknown): void {
    const e = this.#find(id);
    if (e === undefined || e.status !== 'in_progress') return;
    this.failed++;
    e.status = 'failed';
    e.failure = error instanceof Error ? error.message : String(error);
  }

  /** The history as plain data, oldest first. */
  read(): { completed: number; failed: number; inProgress: number; history: CheckpointMetrics[] } {
    let inProgress = 0;
    const history = this.#entries.map((e): CheckpointMetrics => {
      if (e.status === 'in_progress') inProgress++;
      return {
        id: e.id,
        kind: e.kind,
        status: e.status,
        triggerTime: e.triggerTime,
        durationMs: e.storedAt === null ? null : e.storedAt - e.triggerTime,
        alignmentMs: e.savingAt === null || e.barriersAt === null ? null : e.savingAt - e.barriersAt,
        backendWriteMs: e.storedAt === null || e.savingAt === null ? null : e.storedAt - e.savingAt,
        bytes: e.bytes,
        incremental: e.incremental,
        failure: e.failure,
      };
    });
    return { completed: this.completed, failed: this.failed, inProgress, history };
  }

  #find(id: number): Entry | undefined {
    for (let i = this.#entries.length - 1; i >= 0; i--) if (this.#entries[i]!.id === id) return this.#entries[i];
    return undefined;
  }
}
