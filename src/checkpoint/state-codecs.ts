/**
 * The state codecs the checkpoint runtime holds (src/core/checkpointing.ts `StateCodecs`): the export
 * and restore code of operators that only declare their state (`stateAccess`), so that it comes
 * into a bundle with checkpoints, not with the operators (docs/architecture.md §4). Every
 * `PendingCheckpoint` and `RestoreSource` the runtime makes carries them: the coordinator's, the
 * testing kit's and the parallel subtasks'.
 */
import type { StateCodecs } from '../core/checkpointing.js';
import { EVENT_TIME_CODEC } from '../time/event-time-codec.js';
import { restoreOperator, snapshotOperator } from './operator-state.js';
import { WINDOW_CODEC } from '../window/window-codec.js';

/**
 * The runtime's state code: the report and restore of operators, and the codecs by state kind.
 *
 * @example
 * ```ts
 * import { STATE_CODECS, type PendingCheckpoint } from 'rxflink/engine';
 *
 * const checkpoint: PendingCheckpoint = {
 *   checkpointId: 1,
 *   incremental: false,
 *   codecs: STATE_CODECS,
 *   report: (uid, state) => console.log(uid, state),
 *   hold: () => () => {},
 *   onComplete: () => {},
 * };
 * ```
 */
export const STATE_CODECS: StateCodecs = {
  kinds: { window: WINDOW_CODEC, eventTime: EVENT_TIME_CODEC },
  snapshot: snapshotOperator,
  restore: restoreOperator,
};
