/**
 * The event-time entry's state in and out of checkpoints: its last watermark and its watermark
 * generator's state, through the narrow view the entry opens (`EventTimeStateAccess`). The
 * checkpoint runtime holds this codec (src/checkpoint/state-codecs.ts) and the entry of
 * rxflink/engine (snapshotting-entry.ts) calls it, so that a bundle of `withEventTime` without
 * checkpoints leaves the export and its checks out (docs/architecture.md §4).
 *
 * Flink does not checkpoint its TimestampsAndWatermarksOperator; we keep the watermark, so that a
 * restored pipeline never forwards one below a watermark it forwarded (as the window operator
 * restores its own), and the generator's state (the built-ins: the highest timestamp seen), so that
 * periodic watermarks go on from there (docs/checkpoints.md, "Differences from Flink").
 */
import type { StateAccess, StateCodec } from '../core/checkpointing.js';
import { StateRestoreError } from '../state/errors.js';
import type { EventTimeEntrySnapshot } from './event-time-options.js';
import { watermarkProblem } from './errors.js';
import type { WatermarkGenerator } from './watermark-generator.js';

/** What the event-time entry opens to its codec: its uid, its generator and its last watermark. */
export interface EventTimeStateAccess extends StateAccess {
  readonly kind: 'eventTime';
  readonly uid: string | undefined;
  readonly generator: WatermarkGenerator<never>;
  /** The last watermark forwarded (`watermark`), in the object the entry raises it in; set by a restore, before the first value. */
  readonly run: { watermark: number };
}

/**
 * The entry's last watermark and its generator's state, as plain data.
 *
 * @example
 * ```ts
 * // internal: snapshotEventTime(entry.stateAccess) // { version: 1, watermark: 41, generator: { max: 42 } }
 * ```
 */
export function snapshotEventTime(a: EventTimeStateAccess): EventTimeEntrySnapshot {
  if (a.generator.snapshotState === undefined) return { version: 1, watermark: a.run.watermark };
  return { version: 1, watermark: a.run.watermark, generator: a.generator.snapshotState() };
}

/**
 * Imports what `snapshotEventTime` exported, before the first value; `StateRestoreError` naming the
 * uid and the field on anything else.
 *
 * @example
 * ```ts
 * // internal: restoreEventTime(entry.stateAccess, { version: 1, watermark: 41 })
 * ```
 */
export function restoreEventTime(a: EventTimeStateAccess, state: unknown): void {
  const s = state as Partial<EventTimeEntrySnapshot> | null;
  if (s === null || typeof s !== 'object' || s.version !== 1) {
    throw new StateRestoreError(
      a.uid,
      'expected the plain object produced by snapshotState() of an event-time entry (version 1)',
    );
  }
  if (typeof s.watermark !== 'number' || watermarkProblem(s.watermark) !== undefined) {
    throw new StateRestoreError(a.uid, `the watermark ${String(s.watermark)} is not a watermark`, 'state.watermark');
  }
  // No generator state (an older snapshot, or a stateless generator): the generator starts afresh.
  if (s.generator !== undefined && a.generator.restoreState !== undefined) {
    try {
      a.generator.restoreState(s.generator);
    } catch (error) {
      throw new StateRestoreError(
        a.uid,
        `is not the watermark generator's state: ${error instanceof Error ? error.message : String(error)}`,
        'state.generator',
      );
    }
  }
  a.run.watermark = s.watermark;
}

/**
 * The codec of event-time entries, by `StateAccess.kind` 'eventTime': what the checkpoint runtime
 * holds. Stored as a `snapshotState` method would store it (state version 0), so checkpoints from
 * before the codec restore.
 *
 * @example
 * ```ts
 * // internal: const codecs: StateCodecs = { kinds: { window: WINDOW_CODEC, eventTime: EVENT_TIME_CODEC }, snapshot, restore };
 * ```
 */
export const EVENT_TIME_CODEC: StateCodec<EventTimeStateAccess> = {
  snapshot: (a) => ({ stateVersion: 0, state: snapshotEventTime(a) }),
  restore: (a, snapshot) => restoreEventTime(a, snapshot.state),
};
