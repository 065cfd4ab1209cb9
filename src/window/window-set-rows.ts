/**
 * The general path's checkpoint in the tables of the keyed state layer (docs/checkpoints.md §10):
 * its KeyedStateBackend exports the windows' contents (`state:window-contents`) and trigger state
 * (`state:trigger:<name>`) as namespaced rows, its timer service the timers
 * (`timers:event-time`, `timers:processing-time`, with the window as namespace), and the row
 * source here each key's window set (`window-set`): the index of its live windows, as Flink's
 * MergingWindowSet keeps its mapping in keyed state. Each kind of rows is one row per key, in
 * tables by key group, full or incremental.
 *
 * A general path restores those tables straight into its own backend (layered-restore.ts): the
 * window sets through `load` here. An operator on the pane path reads them back into
 * `WindowOperatorState` keys instead (`layeredKeys`), which it validates and restores on whichever
 * path can hold them, as it does for the window rows of before (window-rows.ts).
 */
import { DEFAULT_MAX_PARALLELISM, keyGroupOf, keyId, type Key, type KeyPart } from '../core/keys.js';
import type { OperatorRuntime } from '../core/operator.js';
import { KeyedStateBackend } from '../state/backend.js';
import { keyFromId } from '../state/key-id.js';
import { isObject } from '../state/cells.js';
import { StateRestoreError } from '../state/errors.js';
import { rowsByName } from '../state/keyed-export.js';
import type { KeyedRowSource } from '../state/row-source.js';
import type { KeyedStateExport } from '../state/snapshot-types.js';
import { stateRows } from '../state/table-rows.js';
import { EVENT_TIME_ROWS, PROCESSING_TIME_ROWS, type InternalTimerService } from '../state/timers.js';
import { readTimerRows } from '../state/timer-rows.js';
import type { KeyData, WindowData } from './types.js';
import { CONTENTS_STATE } from './window-contents.js';
import { UNKEYED, WindowState, type Id, type KeyEntry } from './window-state.js';
import { GLOBAL_WINDOW } from './windows.js';

/** The name of the window sets' rows: `<keyGroup>/window-set`. */
export const WINDOW_SET_ROWS = 'window-set';

/** The prefix of the trigger states' rows (trigger-context.ts names the states `trigger:<name>`). */
const TRIGGER_ROWS = stateRows('trigger:');

/** What the row source reads of the general path: its keys, and the keys changed since the last export; and adds restored keys. */
export interface WindowSetHost {
  readonly keys: ReadonlyMap<Id, KeyEntry>;
  changed: Map<Id, KeyEntry> | null;
  addEntry(id: Id, key: unknown, keyGroup: number): KeyEntry;
}

/** What a restore of window sets needs of the operator's setup (config.ts). */
export interface WindowSetSetup {
  readonly uid: string | null;
  readonly global: boolean;
  cleanupTime(maxTs: number): number;
}

/**
 * A key's window set as a row: `[keyGroup, start, end, panes, start, end, panes, ...]`, the key
 * group its keyBy gave it (-1: windowAll's one key) and each live window with its pane count.
 *
 * @example
 * ```ts
 * // internal: windowSetRow(entry); // [7, 0, 1000, 0, 500, 1500, 1]
 * ```
 */
export function windowSetRow(entry: KeyEntry): unknown[] {
  const row: unknown[] = [entry.keyGroup];
  // (Read in place: `entry.windows()` copies them, an array per key of a full checkpoint.)
  const held = entry.byStart?.values() ?? entry.list ?? entry.more;
  if (entry.w0 !== null) row.push(entry.w0.start, entry.w0.end, entry.w0.panes);
  if (entry.w1 !== null) row.push(entry.w1.start, entry.w1.end, entry.w1.panes);
  if (held !== null) for (const ws of held) row.push(ws.start, ws.end, ws.panes);
  return row;
}

/**
 * The window sets of `host` as a row source of its backend, and the key group of a key id for the
 * backend's export: the one its entry holds (windowAll's in group 0), also for a key whose last
 * window went since the last export.
 *
 * @example
 * ```ts
 * // internal: const sets = windowSetRows(general, setup, (id) => keyGroupOf(keyFromId(id), 128)); backend.attach(sets.source)
 * ```
 */
export function windowSetRows(
  host: WindowSetHost,
  setup: WindowSetSetup,
  fallback: (id: KeyPart) => number,
): { source: KeyedRowSource; groupOf: (id: KeyPart) => number } {
  // The keys the export in progress took as changed: a key without windows any more is among them.
  let taken: Map<Id, KeyEntry> | null = null;
  const source: KeyedRowSource = {
    name: WINDOW_SET_ROWS,
    forEachRow(emit) {
      for (const [id, entry] of host.keys) if (entry.size > 0) emit(id, windowSetRow(entry), entry.keyGroup);
    },
    takeChanged() {
      taken = host.changed;
      host.changed = new Map();
      return taken?.keys();
    },
    rowOf(id) {
      const entry = host.keys.get(id);
      return entry === undefined || entry.size === 0 ? undefined : windowSetRow(entry);
    },
    load(keys, rows) {
      taken = null;
      loadWindowSets(host, setup, keys, rows);
    },
  };
  const groupOf = (id: KeyPart): number => {
    const entry = host.keys.get(id) ?? host.changed?.get(id) ?? taken?.get(id);
    return entry === undefined ? fallback(id) : Math.max(entry.keyGroup, 0);
  };
  return { source, groupOf };
}

/**
 * Adds the restored window sets (`keys[i]` owns `rows[i]`, as `windowSetRow` wrote them) to the
 * cleared `host`: each key's entry with its windows, contents and timers being restored beside
 * them into the backend under the same key ids and namespaces. Throws `StateRestoreError` naming
 * the uid on a malformed row.
 *
 * @example
 * ```ts
 * // internal: loadWindowSets(general, setup, ['a'], [[7, 0, 1000, 0]]); // key "a" in group 7, window [0, 1000)
 * ```
 */
export function loadWindowSets(
  host: WindowSetHost,
  setup: WindowSetSetup,
  keys: readonly Key[],
  rows: readonly unknown[],
): void {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const row = rows[i];
    if (!Array.isArray(row) || typeof row[0] !== 'number' || row.length % 3 !== 1) {
      throw new StateRestoreError(
        setup.uid ?? undefined,
        `window set of key ${JSON.stringify(key)}: expected [keyGroup, start, end, panes, ...]`,
      );
    }
    // (Keyed operators only: windowAll's one key, UNKEYED, does not come back as its id through
    // keyId, so the window codec restores windowAll through `layeredKeys`.)
    const entry = host.addEntry(keyId(key), key, row[0] as number);
    for (let j = 1; j < row.length; j += 3) {
      const start: unknown = row[j];
      const end: unknown = row[j + 1];
      const panes: unknown = row[j + 2];
      if (typeof start !== 'number' || typeof end !== 'number' || typeof panes !== 'number') {
        throw new StateRestoreError(
          setup.uid ?? undefined,
          `window set of key ${JSON.stringify(key)}: a window of ${String(start)} to ${String(end)}`,
        );
      }
      const ws = new WindowState(entry, start, end, setup.cleanupTime(end - 1), setup.global ? GLOBAL_WINDOW : null);
      ws.panes = panes;
      entry.add(ws);
    }
  }
}

/**
 * The keyed state backend of a general path (`host`), with its timers (`timers`) and window sets
 * attached: its export is the path's checkpoint. Keys are grouped as the operator's keyBy grouped
 * them (a fused keyBy's max parallelism, else 128, as keyBy's default).
 *
 * @example
 * ```ts
 * // internal: this.state = windowBackend(this, setup, this.timers.service)
 * ```
 */
export function windowBackend(
  host: WindowSetHost,
  setup: WindowSetSetup & { readonly maxParallelism: number; readonly runtime: OperatorRuntime },
  timers: InternalTimerService<unknown, unknown>,
): KeyedStateBackend {
  const uid = setup.uid ?? undefined;
  const clock = setup.runtime.processingTime;
  const maxParallelism = setup.maxParallelism > 0 ? setup.maxParallelism : DEFAULT_MAX_PARALLELISM;
  const sets = windowSetRows(host, setup, (id) => (id === UNKEYED ? 0 : keyGroupOf(keyFromId(id), maxParallelism)));
  const state = new KeyedStateBackend({ uid, now: () => clock.now(), maxParallelism, keyGroupOf: sets.groupOf });
  state.attach(...timers.rowSources(uid), sets.source);
  return state;
}

/** How `layeredKeys` reads the rows: as the restoring operator is configured. */
export interface LayeredReading {
  readonly uid: string | null;
  /** Whether keys are keys (else windowAll: one key, undefined, without a key group). */
  readonly keyed: boolean;
  /** Whether contents are accumulators (an incremental function), else elements with timestamps. */
  readonly accumulates: boolean;
}

type Window = { -readonly [F in keyof WindowData]: WindowData[F] };

/**
 * The keys with their windows (`WindowOperatorState` keys, contents and accumulators as exported)
 * of a general path's checkpoint, the key groups in `range` only (all without one), in key-group
 * order. Throws `StateRestoreError` naming the uid on a malformed row.
 *
 * @example
 * ```ts
 * // internal: layeredKeys({ header, tables: stored.keyed }, { start: 0, end: 63 }, { uid: 'w', keyed: true, accumulates: true })
 * ```
 */
export function layeredKeys(
  data: KeyedStateExport,
  range: { readonly start: number; readonly end: number } | undefined,
  reading: LayeredReading,
): KeyData[] {
  const uid = reading.uid ?? undefined;
  const fail = (reason: string): never => {
    throw new StateRestoreError(uid, reason);
  };
  const byName = rowsByName(data, range, uid);
  const windows = new Map<KeyPart, Map<unknown, Window>>();
  const out: KeyData[] = [];
  const sets = byName.get(WINDOW_SET_ROWS);
  sets?.keys.forEach((key, i) => {
    const row = sets.rows[i];
    if (!Array.isArray(row) || typeof row[0] !== 'number' || row.length % 3 !== 1)
      fail(`window set of key ${JSON.stringify(key)}: expected [keyGroup, start, end, panes, ...]`);
    const cells = row as unknown[];
    const list: Window[] = [];
    const byNs = new Map<unknown, Window>();
    for (let j = 1; j < cells.length; j += 3) {
      const [start, end, panes] = [cells[j], cells[j + 1], cells[j + 2]];
      if (typeof start !== 'number' || typeof end !== 'number' || typeof panes !== 'number')
        fail(`window set of key ${JSON.stringify(key)}: a window of ${String(start)} to ${String(end)}`);
      const w: Window = {
        start: start as number,
        end: end as number,
        has: false,
        acc: null,
        values: null,
        times: null,
        trigger: null,
        eventTimers: [],
        processingTimers: [],
      };
      if ((panes as number) > 0) w.panes = panes as number;
      list.push(w);
      // (A window's namespace is its start, or for sessions both bounds: window-state.ts.)
      byNs.set(start, w);
      byNs.set(`${String(start)}:${String(end)}`, w);
    }
    windows.set(keyId(key), byNs);
    const keyGroup = cells[0] as number;
    out.push({ key: reading.keyed ? key : undefined, keyGroup: reading.keyed ? keyGroup : -1, windows: list });
  });
  const windowOf = (key: Key, ns: unknown, what: string): Window => {
    const w = windows.get(keyId(key))?.get(ns);
    return (
      w ?? fail(`${what} of key ${JSON.stringify(key)} in window ${JSON.stringify(ns)}, which its window set lacks`)
    );
  };
  for (const [name, rows] of byName) {
    const contents = name === stateRows(CONTENTS_STATE);
    if (!contents && !name.startsWith(TRIGGER_ROWS)) continue;
    const layout = data.header.states[name.slice(stateRows('').length)];
    if (!isObject(layout) || layout.ttl === true) fail(`state ${JSON.stringify(name)}: not a window's state`);
    rows.keys.forEach((key, i) => {
      const row = rows.rows[i];
      if (!Array.isArray(row) || row.length % 2 !== 0) fail(`${name} of key ${JSON.stringify(key)}: not namespaced`);
      for (let j = 0; j < (row as unknown[]).length; j += 2) {
        const w = windowOf(key, (row as unknown[])[j], name);
        const cell = (row as unknown[])[j + 1];
        if (!contents) {
          w.trigger ??= [];
          w.trigger.push([name.slice(TRIGGER_ROWS.length), cell]);
        } else if (reading.accumulates) {
          w.has = true;
          w.acc = cell;
        } else {
          const elements = cell as { values?: unknown; times?: unknown };
          if (!isObject(elements) || !Array.isArray(elements.values) || !Array.isArray(elements.times))
            fail(`window contents of key ${JSON.stringify(key)}: expected { values, times }`);
          w.has = true;
          w.values = elements.values as unknown[];
          w.times = elements.times as number[];
        }
      }
    });
  }
  for (const [name, eventTime] of [
    [EVENT_TIME_ROWS, true],
    [PROCESSING_TIME_ROWS, false],
  ] as const) {
    const rows = byName.get(name);
    if (rows === undefined) continue;
    // Registration order per window (the timers' sequence numbers), as the windows list them.
    const timers = readTimerRows(rows.keys, rows.rows, uid, eventTime ? 'event-time' : 'processing-time');
    for (const t of timers) {
      // A timer of a window that was retired fires nothing (general-path.ts): it is not restored.
      const w = windows.get(t.id)?.get(t.namespace);
      if (w !== undefined) (eventTime ? w.eventTimers : w.processingTimers).push(t.time);
    }
  }
  return out;
}
