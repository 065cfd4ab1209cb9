/**
 * The exported rows of a timer queue (timer-queue.ts): one row per key, `[keyGroup, time, seq,
 * time, seq, ...]`, a timer with a namespace as a nested `[time, seq, namespace]`.
 */
import { keyId, type Key, type KeyPart } from '../core/keys.js';
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

/** A key's timers as one exported row (see `TimerQueue.rowSource`). */
export function timerRow(timers: Iterable<InternalTimer> | InternalTimer): unknown[] {
  // (One timer, the common case, or a key's timers: no array made to hold them.)
  if (!(Symbol.iterator in timers)) return timerCells([timers.keyGroup], timers);
  let row: unknown[] | undefined;
  for (const t of timers) row = timerCells(row ?? [t.keyGroup], t);
  return row!;
}

/** Appends timer `t`'s cells to `row`, a row of its key's timers (see `timerRow`). */
export function timerCells(row: unknown[], t: InternalTimer): unknown[] {
  if (t.namespace === undefined) row.push(t.time, t.seq);
  else row.push([t.time, t.seq, t.namespace]);
  return row;
}

/** What `eachTimerOfRows` gives for each timer of the rows. */
export type TimerVisitor = (
  id: KeyPart,
  keyGroup: number,
  namespace: Namespace | undefined,
  time: number,
  seq: number,
) => void;

/**
 * Calls `visit` with each timer of rows from `TimerQueue.rowSource` (`keys[i]` owns `rows[i]`), in
 * the rows' order, without an object per timer. Throws `StateRestoreError` naming `uid` and the
 * timer domain (`what`) on a malformed row.
 */
export function eachTimerOfRows(
  keys: readonly Key[],
  rows: readonly unknown[],
  uid: string | undefined,
  what: string,
  visit: TimerVisitor,
): void {
  const fail = (reason: string): StateRestoreError => new StateRestoreError(uid, `${what} timers: ${reason}`);
  for (let i = 0; i < keys.length; i++) {
    const id = keyId(keys[i]!);
    const row = rows[i];
    if (!Array.isArray(row) || typeof row[0] !== 'number')
      throw fail(`the row of key ${String(keys[i])} must be [keyGroup, time, seq, ...]`);
    const keyGroup = row[0];
    for (let j = 1; j < row.length; ) {
      const entry: unknown = row[j];
      let time: unknown;
      let seq: unknown;
      let namespace: unknown;
      if (Array.isArray(entry)) {
        time = entry[0];
        seq = entry[1];
        namespace = entry[2];
        j += 1;
      } else {
        time = entry;
        seq = row[j + 1];
        j += 2;
      }
      if (!Number.isSafeInteger(time) || typeof seq !== 'number')
        throw fail(`key ${String(keys[i])} has a timer at ${String(time)}`);
      visit(id, keyGroup, namespace as Namespace | undefined, time as number, seq);
    }
  }
}

/**
 * The timers of rows from `TimerQueue.rowSource` (`keys[i]` owns `rows[i]`), in their recorded
 * firing order. Throws `StateRestoreError` naming `uid` and the timer domain (`what`) on a
 * malformed row.
 */
export function readTimerRows(
  keys: readonly Key[],
  rows: readonly unknown[],
  uid: string | undefined,
  what: string,
): RowTimer[] {
  const timers: RowTimer[] = [];
  eachTimerOfRows(keys, rows, uid, what, (id, keyGroup, namespace, time, seq) => {
    timers.push({ id, keyGroup, namespace, time, seq });
  });
  timers.sort((a, b) => a.time - b.time || a.seq - b.seq);
  return timers;
}
