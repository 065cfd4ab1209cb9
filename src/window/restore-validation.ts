/**
 * Validation of the state a window operator is given to restore: every field that `snapshotState`
 * writes is checked before anything is replaced, and a wrong one fails with a `WindowStateError`
 * (a `StateRestoreError`) naming the operator's uid and the field (issue 17 item 10). A `null`
 * watermark, what plain JSON makes of -Infinity, would otherwise compare as 0 and send records with
 * negative timestamps to the late output.
 */
import { RestoreChecks } from '../state/restore-checks.js';
import { WindowStateError } from './errors.js';
import type { PaneColumns } from './pane-rows.js';
import type { WindowOperatorState } from './types.js';

/**
 * Checks `state` against the layout of `WindowOperatorState` for an operator with this `uid` and
 * assigner, and returns it typed.
 *
 * @example
 * ```ts
 * restoreState(state: unknown) { const s = validateWindowState(state, this.#uid, this.#assigner.name, this.#keyed); ... }
 * ```
 */
export function validateWindowState(
  state: unknown,
  uid: string | null,
  assigner: string,
  keyed: boolean,
): WindowOperatorState {
  const check = new RestoreChecks(
    uid ?? undefined,
    (field, reason) => new WindowStateError(reason, uid ?? undefined, field),
  );
  if (typeof state !== 'object' || state === null || (state as { version?: unknown }).version !== 1) {
    throw new WindowStateError('expected the plain object produced by snapshotState() (version 1)', uid ?? undefined);
  }
  const s = state as Record<string, unknown>;
  if (s['assigner'] !== assigner) {
    throw new WindowStateError(
      `the state was exported by a ${String(s['assigner'])} operator, this one uses ${assigner}`,
      uid ?? undefined,
      'state.assigner',
    );
  }
  check.watermark(s['watermark'], 'state.watermark');
  const keys = check.array(s['keys'], 'state.keys');
  for (let i = 0; i < keys.length; i++) {
    const at = `state.keys[${i}]`;
    const k = check.object(keys[i], at);
    if (keyed) checkKeyValue(check, k['key'], `${at}.key`);
    // windowAll's single key has no key group: -1, as its records carry.
    check.integer(k['keyGroup'], `${at}.keyGroup`, keyed ? 0 : -1);
    const windows = check.array(k['windows'], `${at}.windows`);
    for (let j = 0; j < windows.length; j++) checkWindow(check, windows[j], `${at}.windows[${j}]`);
  }
  return state as WindowOperatorState;
}

/**
 * Checks the keys of restored pane tables (pane-rows.ts) as `validateWindowState` checks the keys
 * of window rows, their firing counts, and a process function's elements; accumulators are checked
 * by the aggregate's import, as there.
 *
 * @example
 * ```ts
 * // internal: validatePaneColumns(panes, setup.uid, setup.keyed)
 * ```
 */
export function validatePaneColumns(panes: readonly PaneColumns[], uid: string | null, keyed: boolean): void {
  const check = new RestoreChecks(
    uid ?? undefined,
    (field, reason) => new WindowStateError(reason, uid ?? undefined, field),
  );
  for (const { window, keyGroup, keys, accs, counts, elements } of panes) {
    const table = `${keyGroup}/${counts.length > 0 ? 'fired' : 'pane'}:${window.start}:${window.end}`;
    for (let i = 0; i < keys.length; i++) {
      // Strings, the common case, need no more than their type. (windowAll's one key is restored as undefined.)
      if (keyed && typeof keys[i] !== 'string') checkKeyValue(check, keys[i], `${table}.keys[${i}]`);
      if (counts.length > 0) check.integer(counts[i], `${table}.values[${i}][1]`);
      if (elements) {
        const at = `${table}.values[${i}]${counts.length > 0 ? '[0]' : ''}`;
        const e = check.object(accs[i], at);
        const times = check.times(e['times'], `${at}.times`);
        if (check.array(e['values'], `${at}.values`).length !== times.length)
          check.fail(`${at}.values`, `holds ${(e['values'] as unknown[]).length} elements for ${times.length} times`);
      }
    }
  }
}

function checkWindow(check: RestoreChecks, value: unknown, at: string): void {
  const w = check.object(value, at);
  const start = check.time(w['start'], `${at}.start`);
  const end = check.time(w['end'], `${at}.end`);
  if (end <= start) check.fail(`${at}.end`, `is ${end}, not after the start ${start}`);
  check.boolean(w['has'], `${at}.has`);
  if (w['values'] !== null) check.array(w['values'], `${at}.values`);
  if (w['times'] !== null) check.times(w['times'], `${at}.times`);
  if (w['trigger'] !== null) {
    const trigger = check.array(w['trigger'], `${at}.trigger`);
    for (let i = 0; i < trigger.length; i++) {
      const entry = trigger[i];
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') {
        check.fail(`${at}.trigger[${i}]`, 'is not a [name, value] pair');
      }
    }
  }
  check.times(w['eventTimers'], `${at}.eventTimers`);
  check.times(w['processingTimers'], `${at}.processingTimers`);
  if (w['panes'] !== undefined) check.integer(w['panes'], `${at}.panes`, 0);
}

/** A key as `checkKey` accepts it: a string, number (not NaN), bigint, boolean, or a tuple of those. */
function checkKeyValue(check: RestoreChecks, key: unknown, at: string): void {
  const parts = Array.isArray(key) ? (key as unknown[]) : [key];
  for (const part of parts) {
    const type = typeof part;
    if (type === 'string' || type === 'bigint' || type === 'boolean' || (type === 'number' && !Number.isNaN(part)))
      continue;
    check.fail(
      at,
      `is ${Array.isArray(key) ? 'a tuple holding ' : ''}${String(part)}, not a key (a string, number, bigint, boolean or a tuple of those)`,
    );
  }
}
