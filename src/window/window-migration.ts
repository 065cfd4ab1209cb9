/**
 * Versioned migration of the window operator's keyed formats to the one the general path restores:
 * the tables of its keyed state layer (window-set-rows.ts, layered-restore.ts). Each stored format
 * has a version and one function that converts it to a later one (`WINDOW_MIGRATIONS`), as the
 * keyed state's formats have (state/format-migration.ts):
 * - version 1, windows as `WindowOperatorState` keys: each key with its windows, their contents,
 *   trigger state and timers (`snapshotState`, the `<keyGroup>/windows` rows of window-rows.ts, and
 *   the pane tables of pane-rows.ts once read as keys); the general path wrote these until it kept
 *   its windows on the keyed state layer;
 * - version 2, the layer's tables: contents and trigger states as namespaced state rows, timers as
 *   timer rows, each key's window set as a row of its own.
 */
import { defineOwn } from '../core/plain-data.js';
import { keyGroupTable, type KeyedTableSnapshot } from '../core/state-snapshot.js';
import type { Key } from '../core/keys.js';
import { KEYED_STATE_FORMAT, type KeyedStateExport, type StateTableLayout } from '../state/snapshot-types.js';
import type { Migration } from '../state/format-migration.js';
import { stateRows } from '../state/table-rows.js';
import { EVENT_TIME_ROWS, PROCESSING_TIME_ROWS } from '../state/timers.js';
import { clonePlain } from './aggregates.js';
import { TRIGGER_STATE_PREFIX } from './trigger-context.js';
import type { KeyData } from './types.js';
import { CONTENTS_STATE } from './window-contents.js';
import { WINDOW_SET_ROWS } from './window-set-rows.js';
import { windowNamespace } from './window-state.js';

/** The version of the general path's tables (window-set-rows.ts): what `migrateWindows` gives. */
export const WINDOW_FORMAT = 2;

/** How the restoring operator reads windows. */
export interface WindowMigrationContext {
  /** Sessions: a window's namespace is both its bounds (window-state.ts). */
  readonly merging: boolean;
  /** Contents are accumulators (an incremental function), else elements with timestamps. */
  readonly accumulates: boolean;
}

/** The migration from each stored window format, by the version it reads. */
const WINDOW_MIGRATIONS: Readonly<Record<number, Migration<WindowMigrationContext>>> = {
  1: { to: WINDOW_FORMAT, migrate: keysToTables },
};

/**
 * Validated keys of a window operator (version 1: `validateWindowState` checked them) as the
 * general path's tables (version 2), through each migration in turn.
 *
 * @example
 * ```ts
 * // internal: const data = migrateWindows(s.keys, { merging: false, accumulates: true });
 * // internal: // { header: { format: 3, states: { 'window-contents': ... } }, tables: { '7/window-set': ..., '7/state:window-contents': ..., ... } }
 * ```
 */
export function migrateWindows(keys: readonly KeyData[], context: WindowMigrationContext): KeyedStateExport {
  let migrated: unknown = keys;
  // Each step in turn, from version 1 to the latest (the one no step reads).
  for (let step = WINDOW_MIGRATIONS[1]; step !== undefined; step = WINDOW_MIGRATIONS[step.to])
    migrated = step.migrate(migrated as never, context);
  return migrated as KeyedStateExport;
}

/** Rows of one kind by key group. */
type Groups = Map<number, { keys: Key[]; values: unknown[] }>;

function put(groups: Groups, group: number, key: Key, row: unknown): void {
  let g = groups.get(group);
  if (g === undefined) {
    g = { keys: [], values: [] };
    groups.set(group, g);
  }
  g.keys.push(key);
  g.values.push(row);
}

const NAMESPACED: StateTableLayout = { kind: 'value', ttl: false, namespaced: true };

/**
 * Version 1 to 2. Timers get their registration order from the order of the keys, then of the
 * windows, then of each window's timers: the order the general path registered them in when it
 * restored version 1 itself.
 */
function keysToTables(keys: readonly KeyData[], { merging, accumulates }: WindowMigrationContext): KeyedStateExport {
  const byName = new Map<string, Groups>();
  const rowsOf = (name: string): Groups => {
    let groups = byName.get(name);
    if (groups === undefined) {
      groups = new Map();
      byName.set(name, groups);
    }
    return groups;
  };
  const states: Record<string, StateTableLayout> = {};
  defineOwn(states, CONTENTS_STATE, NAMESPACED);
  let seq = 0;
  for (const k of keys) {
    const key = k.key as Key;
    const group = k.keyGroup;
    const set: unknown[] = [group];
    const contents: unknown[] = [];
    const triggers = new Map<string, unknown[]>();
    const eventTimers: unknown[] = [group];
    const processingTimers: unknown[] = [group];
    for (const w of k.windows) {
      const ns = windowNamespace(w.start, w.end, merging);
      set.push(w.start, w.end, w.panes ?? 0);
      if (w.has && accumulates) contents.push(ns, w.acc);
      else if (w.values !== null && w.times !== null && w.values.length > 0)
        contents.push(ns, { values: w.values, times: w.times });
      for (const [name, value] of w.trigger ?? []) {
        const row = triggers.get(name) ?? [];
        triggers.set(name, row);
        row.push(ns, clonePlain(value, 'trigger state'));
      }
      for (const time of w.eventTimers) eventTimers.push([time, seq++, ns]);
      for (const time of w.processingTimers) processingTimers.push([time, seq++, ns]);
    }
    if (k.windows.length === 0) continue;
    put(rowsOf(WINDOW_SET_ROWS), group, key, set);
    if (contents.length > 0) put(rowsOf(stateRows(CONTENTS_STATE)), group, key, contents);
    for (const [name, row] of triggers) {
      defineOwn(states, TRIGGER_STATE_PREFIX + name, NAMESPACED);
      put(rowsOf(stateRows(TRIGGER_STATE_PREFIX + name)), group, key, row);
    }
    if (eventTimers.length > 1) put(rowsOf(EVENT_TIME_ROWS), group, key, eventTimers);
    if (processingTimers.length > 1) put(rowsOf(PROCESSING_TIME_ROWS), group, key, processingTimers);
  }
  const tables: Record<string, KeyedTableSnapshot> = {};
  for (const [name, groups] of byName)
    for (const [group, g] of groups) defineOwn(tables, keyGroupTable(group, name), { kind: 'full', ...g });
  return { header: { format: KEYED_STATE_FORMAT, states }, tables };
}
