/**
 * The checkpoint rows of a timer queue (timer-queue.ts): one row per key, `[keyGroup, time, seq,
 * time, seq, ...]`, a timer with a namespace as a nested `[time, seq, namespace]`.
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { keyId, type KeyPart } from '../core/keys.js';
import type { Namespace } from './state-types.js';
import { StateRestoreError } from './errors.js';
import type { InternalTimer } from './timer-types.js';

/** A timer read back from a checkpoint row, before it is registered again. */
export interface RowTimer {
  readonly id: KeyPart;
  readonly keyGroup: number;
  readonly namespace: Namespace | undefined;
  readonly time: number;
  readonly seq: number;
}

/** A key's timers as one checkpoint row (see `TimerQueue.checkpointRows`). */
export function timerRow(timers: readonly InternalTimer[]): unknown[] {
  const row: unknown[] = [timers[0]!.keyGroup];
  for (const t of timers) {
    if (t.namespace === undefined) row.push(t.time, t.seq);
    else row.push([t.time, t.seq, t.namespace]);
  }
  return row;
}

/**
 * The timers of a full table from `TimerQueue.checkpointRows`, in their recorded firing order.
 * Throws `StateRestoreError` naming `uid` and the timer domain (`what`) on a malformed table.
 */
export function readTimerRows(table: unknown, uid: string | undefined, what: string): RowTimer[] {
    const t = table as Partial<Extract<KeyedTableSnapshot, { kind: 'full' }>> | null;
    const fail = (reason: string): never => {
      throw new StateRestoreError(uid, `${what} timers: ${reason}`);
    };
    if (typeof t !== 'object' || t === null || t.kind !== 'full' || !Array.isArray(t.keys) || !Array.isArray(t.values) || t.keys.length !== t.values.length) {
      return fail('expected a full table of keys and rows of equal length');
    }
    const timers: RowTimer[] = [];
    for (let i = 0; i < t.keys.length; i++) {
      const id = keyId(t.keys[i]!);
      const row = t.values[i];
      if (!Array.isArray(row) || typeof row[0] !== 'number') return fail(`the row of key ${String(t.keys[i])} must be [keyGroup, time, seq, ...]`);
      const keyGroup = row[0];
      for (let j = 1; j < row.length; ) {
        const entry: unknown = row[j];
        const [time, seq, namespace] = Array.isArray(entry) ? (entry as [unknown, unknown, unknown]) : [entry, row[j + 1], undefined];
        j += Array.isArray(entry) ? 1 : 2;
        if (!Number.isSafeInteger(time) || typeof seq !== 'number') return fail(`key ${String(t.keys[i])} has a timer at ${String(time)}`);
        timers.push({ id, keyGroup, namespace: namespace as Namespace | undefined, time: time as number, seq });
      }
    }
    timers.sort((a, b) => a.time - b.time || a.seq - b.seq);
  return timers;
}
