import {
  ALREADY_RESTORED,
  DuplicateUidError,
  RESTORE_CONTROL,
  type PendingCheckpoint,
  type RestoreSource,
} from '../core/checkpointing.js';
import { STATE_CODECS } from '../checkpoint/state-codecs.js';
import type { CheckpointBarrier, ControlElement } from '../core/elements.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import type { BarrierFrame, RestoreFrame, StateReport } from './frames.js';

/**
 * The worker's stand-in for the main thread's checkpoint (docs/parallel.md): the barrier the segment
 * sees carries a `PendingCheckpoint` that collects what its operators report; when the barrier leaves
 * the segment, the reports go back in the barrier frame, and the main thread merges every subtask's
 * into the one checkpoint. Completion is the main thread's business (sinks run there).
 *
 * @example
 * ```ts
 * // internal: const { barrier, reports } = subtaskBarrier(frame, fail); input.next([barrier]);
 * ```
 */
export function subtaskBarrier(
  frame: BarrierFrame,
  fail: (error: unknown) => void,
): { barrier: CheckpointBarrier; reports: StateReport[] } {
  const reports: StateReport[] = [];
  const checkpoint: PendingCheckpoint = {
    checkpointId: frame.checkpointId,
    incremental: frame.incremental,
    codecs: STATE_CODECS,
    report: (uid, state, operator, watermark) => {
      if (reports.some((r) => r.uid === uid))
        throw new DuplicateUidError(uid, `is reported twice in checkpoint ${frame.checkpointId}`);
      reports.push({ uid, state, operator, watermark });
    },
    // Holds are released before the barrier leaves the segment, where the reports are sent.
    hold: () => () => {},
    onComplete: () => {},
    fail,
  };
  return { barrier: { kind: 'barrier', checkpointId: frame.checkpointId, checkpoint }, reports };
}

/**
 * The worker's restore marker: each operator of the segment claims its state by uid from what the main
 * thread sent, already pruned to the subtask's key groups (and migrated there).
 *
 * @example
 * ```ts
 * // internal: input.next([subtaskRestore(frame, keyGroups)]);
 * ```
 */
export function subtaskRestore(frame: RestoreFrame, keyGroups: KeyGroupRange): ControlElement {
  const claimed = new Map<string, object>();
  const source: RestoreSource = {
    checkpointId: frame.checkpointId,
    keyGroups,
    codecs: STATE_CODECS,
    claim: (uid, _stateVersion, operator, name) => {
      const owner = claimed.get(uid);
      if (owner === operator) return ALREADY_RESTORED;
      if (owner !== undefined) throw new DuplicateUidError(uid, `is used by two operators of the segment (${name})`);
      claimed.set(uid, operator);
      return Object.hasOwn(frame.states, uid) ? frame.states[uid] : undefined;
    },
  };
  return { kind: 'control', type: RESTORE_CONTROL, payload: source };
}
