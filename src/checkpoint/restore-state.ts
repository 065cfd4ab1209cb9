/**
 * The restored snapshot, as the restore marker carries it to the operators (coordinator.ts): each
 * claims its state by uid, migrated to its state version.
 */

import { ALREADY_RESTORED, DuplicateUidError, type RestoreSource } from '../core/checkpointing.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';
import { StateVersionError } from './errors-inband.js';
import { STATE_CODECS } from './state-codecs.js';
import { keyGroupPruner, type OperatorStateSnapshot, type Snapshot } from './snapshot.js';

/** Converts state written with an older state version into the operator's current one. */
export type StateMigration = (stored: {
  readonly uid: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly snapshot: OperatorStateSnapshot;
}) => OperatorStateSnapshot;

/** The restored snapshot as operators claim it: what the restore marker carries. */
export class RestoreState implements RestoreSource {
  readonly claimed = new Map<string, object>();
  readonly pendingSources = new Set<string>();
  /** The restore code of operators that leave it to checkpoints (state-codecs.ts). */
  readonly codecs = STATE_CODECS;
  readonly #migrate: StateMigration | undefined;

  /**
   * With `keyGroups`, operators restore only the keys of that range: the keyed tables of other
   * groups are dropped here (the backend may have left them out already), and keyed operators are
   * given the range for state stored before key groups.
   */
  declare readonly snapshot: Snapshot;
  declare readonly keyGroups: KeyGroupRange | undefined;

  constructor(snapshot: Snapshot, migrate: StateMigration | undefined, keyGroups?: KeyGroupRange) {
    this.snapshot = snapshot;
    this.keyGroups = keyGroups;
    this.#migrate = migrate;
    if (keyGroups !== undefined) keyGroupPruner(keyGroups)(snapshot);
  }

  get checkpointId(): number {
    return this.snapshot.checkpointId;
  }

  claim(
    uid: string,
    stateVersion: number,
    operator: object,
    name: string,
  ): OperatorStateSnapshot | undefined | typeof ALREADY_RESTORED {
    const owner = this.claimed.get(uid);
    if (owner === operator) return ALREADY_RESTORED;
    if (owner !== undefined)
      throw new DuplicateUidError(uid, `is used by two operators of this pipeline (the second is ${name})`);
    this.claimed.set(uid, operator);
    const stored = Object.hasOwn(this.snapshot.operators, uid) ? this.snapshot.operators[uid] : undefined;
    if (stored === undefined || stored.stateVersion === stateVersion) return stored;
    if (this.#migrate === undefined) {
      throw new StateVersionError(
        uid,
        stored.stateVersion,
        stateVersion,
        'pass a migrate function to startCheckpointing to convert it',
      );
    }
    const migrated = this.#migrate({
      uid,
      fromVersion: stored.stateVersion,
      toVersion: stateVersion,
      snapshot: stored,
    });
    if (migrated?.stateVersion !== stateVersion) {
      throw new StateVersionError(
        uid,
        stored.stateVersion,
        stateVersion,
        `the migrate function returned state version ${String(migrated?.stateVersion)}`,
      );
    }
    return migrated;
  }
}
