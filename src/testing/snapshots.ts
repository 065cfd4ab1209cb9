import { decodeValue, encodeValue } from '../checkpoint/codec.js';
import { UnclaimedStateError } from '../checkpoint/errors-inband.js';
import { RestoreState, type StateMigration } from '../checkpoint/restore-state.js';
import { RunningCheckpoint } from '../checkpoint/running-checkpoint.js';
import type { Snapshot } from '../checkpoint/snapshot.js';

/**
 * Checkpoints the testing kit takes without a coordinator or a backend: the same `PendingCheckpoint`
 * the coordinator's barriers carry (operators report their state to it by uid), and the same
 * `RestoreState` its restore markers carry, with no Promise in between.
 */

/**
 * A full checkpoint `checkpointId` to report operator state to. `ready` is called when no
 * asynchronous stage holds it any more (once `release()` is called for the sources' part).
 */
export function kitCheckpoint(
  checkpointId: number,
  now: number,
  ready: (running: RunningCheckpoint) => void,
  failed: (error: unknown) => void,
): RunningCheckpoint {
  const maybeComplete = (running: RunningCheckpoint): void => {
    if (running.holds.size === 0 && running.waitingFor.size === 0 && !running.done) {
      running.done = true;
      ready(running);
    }
  };
  return new RunningCheckpoint(
    { maybeComplete, pipelineFailed: failed },
    checkpointId,
    'checkpoint',
    undefined,
    false,
    now,
  );
}

/**
 * The snapshot of a completed kit checkpoint as a backend would give it back: through the
 * checkpoint codec, so state that no backend could store fails here (`UnsupportedValueError`), and
 * restored state shares nothing with the running operators.
 */
export function storedSnapshot(running: RunningCheckpoint, pipelineId: string): Snapshot {
  const { json, tagged } = encodeValue(running.toSnapshot(pipelineId, { mode: 'full' }));
  return decodeValue(json, tagged) as Snapshot;
}

/** What operators claim a restored snapshot from; `check()` fails on state nobody claimed. */
export function kitRestore(snapshot: Snapshot, migrate?: StateMigration): { source: RestoreState; check(): void } {
  const source = new RestoreState(snapshot, migrate);
  return {
    source,
    check: () => {
      const unclaimed = Object.keys(snapshot.operators).filter((uid) => !source.claimed.has(uid));
      if (unclaimed.length > 0) throw new UnclaimedStateError(snapshot.checkpointId, unclaimed, []);
    },
  };
}
