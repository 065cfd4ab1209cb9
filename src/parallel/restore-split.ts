import { Observable } from 'rxjs';
import { ALREADY_RESTORED, operatorName, RESTORE_CONTROL, type RestoreSource } from '../core/checkpointing.js';
import type { StreamBatch } from '../core/elements.js';
import {
  inKeyGroupRange,
  keyGroupOfTable,
  type KeyGroupRange,
  type KeyedTableSnapshot,
  type OperatorStateSnapshot,
} from '../core/state-snapshot.js';
import type { Segment } from './segment.js';

/** A stateful operator of a segment: the uid it claims state under, and its state version. */
export interface SegmentOperator {
  readonly uid: string;
  readonly stateVersion: number;
  readonly name: string;
}

const discovered = new WeakMap<Segment, readonly SegmentOperator[]>();

/**
 * The uids a segment's operators claim, found by building the segment once on this thread and passing
 * a restore marker through it (operators claim their state as the marker passes, and nothing else
 * runs). The main thread must claim them from the checkpoint's restore source itself, synchronously,
 * as the marker passes `parallel`: the coordinator fails a restore whose stored state nobody claimed.
 *
 * @example
 * ```ts
 * // internal: segmentOperators(timedTotals); // [{ uid: 'timed-totals', stateVersion: 1, name: 'KeyedProcess' }]
 * ```
 */
export function segmentOperators(segment: Segment): readonly SegmentOperator[] {
  const known = discovered.get(segment);
  if (known !== undefined) return known;
  const found: SegmentOperator[] = [];
  const recorder: RestoreSource = {
    checkpointId: 0,
    claim: (uid, stateVersion, _operator, name) => {
      if (!found.some((o) => o.uid === uid)) found.push({ uid, stateVersion, name });
      return undefined;
    },
    // Only the claims matter here: the checkpoint runtime's restore code (operator-state.ts) stays out.
    codecs: {
      kinds: {},
      snapshot: () => {},
      restore: (operator, source) => {
        if (operator.uid !== undefined)
          source.claim(operator.uid, operator.stateVersion ?? 0, operator, operatorName(operator));
      },
    },
  };
  const input = new Observable<StreamBatch<unknown, unknown>>((subscriber) => {
    subscriber.next([{ kind: 'control', type: RESTORE_CONTROL, payload: recorder }]);
  });
  const info = { subtask: 0, parallelism: 1, maxParallelism: 1, keyGroups: { start: 0, end: 0 } };
  segment
    .build(input, info)
    .subscribe({ error: () => {} })
    .unsubscribe();
  discovered.set(segment, found);
  return found;
}

/**
 * Claims the segment's state from the restore source and splits it by the subtasks' key group ranges:
 * each subtask receives the keyed tables of its own key groups only (intersected with the range the
 * whole pipeline restores, if any), so a savepoint taken at one parallelism restores at another.
 * Returns undefined when the marker already passed (it reached `parallel` through two inputs).
 *
 * @example
 * ```ts
 * // internal: const states = splitRestore(source, segmentOperators(segment), ranges, stage);
 * ```
 */
export function splitRestore(
  source: RestoreSource,
  operators: readonly SegmentOperator[],
  ranges: readonly KeyGroupRange[],
  owner: object,
): Record<string, OperatorStateSnapshot>[] | undefined {
  const perSubtask = ranges.map(() => ({}) as Record<string, OperatorStateSnapshot>);
  for (const { uid, stateVersion, name } of operators) {
    const stored = source.claim(uid, stateVersion, owner, name);
    if (stored === ALREADY_RESTORED) return undefined;
    if (stored === undefined) continue;
    ranges.forEach((range, i) => {
      perSubtask[i]![uid] =
        stored.keyed === undefined ? stored : { ...stored, keyed: tablesIn(stored.keyed, range, source.keyGroups) };
    });
  }
  return perSubtask;
}

function tablesIn(
  keyed: Readonly<Record<string, KeyedTableSnapshot>>,
  range: KeyGroupRange,
  restored: KeyGroupRange | undefined,
): Record<string, KeyedTableSnapshot> {
  const out: Record<string, KeyedTableSnapshot> = {};
  for (const table of Object.keys(keyed)) {
    const group = keyGroupOfTable(table);
    // A table outside any key group (a header) goes to every subtask.
    if (group === undefined || (inKeyGroupRange(group, range) && inKeyGroupRange(group, restored)))
      out[table] = keyed[table]!;
  }
  return out;
}
