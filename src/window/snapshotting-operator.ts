/**
 * `WindowOperator` as rxflink/engine exports it: the window operator (operator.ts) with its state
 * export and restore as methods, for code that snapshots an operator it built itself (tests, custom
 * runtimes). `window(...)` builds the plain operator, whose state the checkpoint runtime's codec
 * (window-codec.ts) exports: that code comes with checkpoints, not with every window.
 */
import type { PendingCheckpoint } from '../core/checkpointing.js';
import type { OperatorStateSnapshot, RestoreCheckpointOptions } from '../core/state-snapshot.js';
import { WindowOperator as WindowEngine } from './operator.js';
import { exportWindowState } from './state-export.js';
import type { WindowOperatorState } from './types.js';
import { restoreWindowSnapshot, restoreWindowState, snapshotWindows } from './window-codec.js';

/**
 * The engine of `window(...)` with `snapshotState` / `restoreState` (the plain format, version 1)
 * and `snapshotCheckpoint` / `restoreCheckpoint` (key-grouped rows, incremental) as methods.
 *
 * @example
 * ```ts
 * import { count, tumblingEventTimeWindows } from 'rxflink';
 * import { WindowOperator } from 'rxflink/engine';
 * import { OperatorHarness } from 'rxflink/testing';
 *
 * let op!: WindowOperator<number, string, number>;
 * new OperatorHarness((runtime) => {
 *   op = new WindowOperator<number, string, number>(
 *     { keyed: true, assigner: tumblingEventTimeWindows(1000), fn: { kind: 'aggregate', aggregate: count() }, uid: 'counts' },
 *     runtime,
 *   );
 *   return op;
 * });
 * const state = op.snapshotState(); // { version: 1, uid: 'counts', keys: [], ... }
 * ```
 */
export class WindowOperator<T, K, R> extends WindowEngine<T, K, R> {
  /** The windows in the plain format (WindowOperatorState, version 1), a copy. */
  snapshotState(): WindowOperatorState {
    return exportWindowState(this.stateAccess);
  }

  /**
   * The windows in the key-grouped format (window-rows.ts): with `checkpoint.incremental`, only the
   * keys whose windows changed since the last checkpoint.
   */
  snapshotCheckpoint(checkpoint: PendingCheckpoint): OperatorStateSnapshot {
    return snapshotWindows(this.stateAccess, checkpoint);
  }

  /** Restores from `snapshotCheckpoint` or from v1 (`snapshotState`); with `options.keyGroups`, only the keys of those groups. */
  restoreCheckpoint(snapshot: OperatorStateSnapshot, options: RestoreCheckpointOptions = {}): void {
    restoreWindowSnapshot(this.stateAccess, snapshot, options);
  }

  /** Restores what `snapshotState` exported, replacing the current windows; the operator keeps them when it throws. */
  restoreState(state: unknown): void {
    restoreWindowState(this.stateAccess, state);
  }
}
