/**
 * How an operator's state is reported to a checkpoint and restored from one, as the markers pass it
 * (core/operator.ts `processElement` calls it through the marker's `codecs`: core/checkpointing.ts
 * `StateCodecs`). Here, on the checkpoint side, so that a pipeline without checkpoints leaves it out
 * of its bundle (docs/architecture.md §4).
 */
import { ALREADY_RESTORED, MissingStateCodecError, MissingUidError, operatorName } from '../core/checkpointing.js';
import type { PendingCheckpoint, RestoreSource, StatefulOperator } from '../core/checkpointing.js';
import type { StateAccess, StateCodec, StateCodecs } from '../core/checkpointing.js';

/** The uid of an operator that has state, and its name in errors; `MissingUidError` without a uid. */
function checkpointedUid(operator: { readonly uid?: string | undefined }): { uid: string; name: string } {
  const name = operatorName(operator);
  if (operator.uid === undefined) throw new MissingUidError(name);
  return { uid: operator.uid, name };
}

/** The codec of `access` among `codecs`; `MissingStateCodecError` when there is none. */
function codecOf(access: StateAccess, codecs: StateCodecs | undefined, name: string): StateCodec {
  const codec = codecs?.kinds[access.kind];
  if (codec === undefined) throw new MissingStateCodecError(name, access.kind);
  return codec as StateCodec;
}

/**
 * Reports an operator's state to the checkpoint its barrier carries, as the barrier passes it: an
 * operator with state (`hasState`, which the caller checked: once per barrier); one without a uid
 * fails with `MissingUidError`.
 *
 * @example
 * ```ts
 * // internal: snapshotOperator(operator, element.checkpoint) // as a barrier passes the operator
 * ```
 */
export function snapshotOperator(operator: StatefulOperator, checkpoint: PendingCheckpoint): void {
  try {
    const { uid, name } = checkpointedUid(operator);
    const access = operator.stateAccess;
    const snapshot =
      operator.snapshotCheckpoint !== undefined
        ? operator.snapshotCheckpoint(checkpoint)
        : operator.snapshotState !== undefined
          ? { stateVersion: operator.stateVersion ?? 0, state: operator.snapshotState() }
          : codecOf(access!, checkpoint.codecs, name).snapshot(access!, checkpoint);
    checkpoint.report(uid, snapshot, name, operator.currentWatermark);
  } catch (error) {
    // The error goes downstream as the stream's error too; the coordinator learns the real cause here.
    checkpoint.fail?.(error);
    throw error;
  }
}

/**
 * Gives an operator with state (`hasState`, which the caller checked) the state stored under its
 * uid, when the restore marker reaches it.
 *
 * @example
 * ```ts
 * // internal: restoreOperator(operator, element.payload as RestoreSource) // as the restore marker passes
 * ```
 */
export function restoreOperator(operator: StatefulOperator, source: RestoreSource): void {
  const { uid, name } = checkpointedUid(operator);
  const stored = source.claim(uid, operator.stateVersion ?? 0, operator, name);
  if (stored === undefined || stored === ALREADY_RESTORED) return;
  const options = source.keyGroups === undefined ? undefined : { keyGroups: source.keyGroups };
  if (operator.restoreCheckpoint !== undefined) operator.restoreCheckpoint(stored, options);
  else if (operator.restoreState !== undefined) operator.restoreState(stored.state);
  else codecOf(operator.stateAccess!, source.codecs, name).restore(operator.stateAccess!, stored, options);
}
