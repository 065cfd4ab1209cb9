/**
 * The plain-data export of a timer service (`InternalTimerService.snapshot` / `restore`): each
 * time domain's timers as columns in firing order.
 */
import type { Key } from '../core/keys.js';
import { keyId } from '../core/keys.js';
import type { Namespace } from './state-types.js';
import { StateRestoreError } from './errors.js';
import { RestoreChecks } from './restore-checks.js';
import { keyFromId } from './key-id.js';
import type { TimerQueue } from './timer-queue.js';

/** Columns of exported timers in firing order; `ns` only when some timer has a namespace. */
export interface TimersSnapshot {
  readonly keys: readonly Key[];
  readonly keyGroups: readonly number[];
  readonly times: readonly number[];
  readonly ns?: readonly (Namespace | null)[];
}

/** Exported state of a timer service. */
export interface TimerServiceSnapshot {
  readonly watermark: number;
  readonly eventTime: TimersSnapshot;
  readonly processingTime: TimersSnapshot;
}

/** The live timers of `queue` as columns, in firing order. */
export function exportTimers(queue: TimerQueue): TimersSnapshot {
  const timers = queue.toSortedArray();
  const keys: Key[] = new Array(timers.length);
  const keyGroups: number[] = new Array(timers.length);
  const times: number[] = new Array(timers.length);
  let withNamespace = false;
  for (let i = 0; i < timers.length; i++) {
    const t = timers[i]!;
    keys[i] = keyFromId(t.keyId);
    keyGroups[i] = t.keyGroup;
    times[i] = t.time;
    if (t.namespace !== undefined) withNamespace = true;
  }
  if (!withNamespace) return { keys, keyGroups, times };
  return { keys, keyGroups, times, ns: timers.map((t) => t.namespace ?? null) };
}

/** Replaces the timers of `queue` with exported columns; `StateRestoreError` naming `uid` when malformed. */
export function importTimers(queue: TimerQueue, data: unknown, uid: string | undefined, what: string): void {
  const s = data as Partial<TimersSnapshot> | null;
  if (
    typeof s !== 'object' || s === null || !Array.isArray(s.keys) || !Array.isArray(s.keyGroups) || !Array.isArray(s.times) ||
    s.keys.length !== s.times.length || s.keyGroups.length !== s.times.length || (s.ns !== undefined && s.ns.length !== s.times.length)
  ) {
    throw new StateRestoreError(uid, `${what} timers must be columns keys, keyGroups, times of equal length`);
  }
  queue.clear();
  const check = new RestoreChecks(uid);
  for (let i = 0; i < s.times.length; i++) {
    const time = s.times[i]!;
    check.time(time, `state.timers.${what}.times[${i}]`);
    check.integer(s.keyGroups[i], `state.timers.${what}.keyGroups[${i}]`);
    const ns = s.ns?.[i];
    queue.add(keyId(s.keys[i]!), s.keyGroups[i]!, ns === null ? undefined : ns, time);
  }
}


