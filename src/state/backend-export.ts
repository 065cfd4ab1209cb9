/**
 * The export and import of a keyed state backend (backend.ts) in the key-grouped format
 * (keyed-export.ts): its state tables and the row sources attached to it (row-source.ts), and the
 * rows restored before their state was declared.
 */
import type { KeyPart } from '../core/keys.js';
import { defineOwn } from '../core/plain-data.js';
import { checkKeyGroupRange } from '../core/state-snapshot.js';
import { StateRestoreError } from './errors.js';
import { isLayout, migrateKeyedState } from './format-migration.js';
import { KeyedExporter, pendingSource, rowsByName, type ExportPart, type PendingRows } from './keyed-export.js';
import type { KeyedRowSource } from './row-source.js';
import type { KeyedRestoreOptions, KeyedStateExport, StateTableLayout } from './snapshot-types.js';
import { KEYED_STATE_FORMAT } from './snapshot-types.js';
import type { Table } from './table.js';
import { STATE_ROWS, stateRows, tableRows } from './table-rows.js';

/**
 * Export and import of one backend's tables (Example: see `KeyedStateBackend.snapshot`).
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * const io = new BackendExport('counts', 128, tables);
 * const exported = io.snapshot(true);
 * io.restore(exported, { keyGroups: { start: 0, end: 63 } });
 * ```
 */
export class BackendExport {
  readonly #uid: string | undefined;
  readonly #maxParallelism: number;
  readonly #tables: ReadonlyMap<string, Table>;
  readonly #sources = new Map<string, KeyedRowSource>();
  /** Restored rows of no declared state or attached source, by rows name; exported again as they are. */
  readonly #pending = new Map<string, PendingRows>();
  readonly #exporter: KeyedExporter;

  constructor(
    uid: string | undefined,
    maxParallelism: number,
    tables: ReadonlyMap<string, Table>,
    groupOf?: (id: KeyPart) => number,
  ) {
    this.#uid = uid;
    this.#maxParallelism = maxParallelism;
    this.#tables = tables;
    this.#exporter = new KeyedExporter(maxParallelism, groupOf);
  }

  /** Adds row sources, exported and restored with the states from now on. */
  attach(sources: readonly KeyedRowSource[]): void {
    for (const source of sources) {
      if (source.name.includes('/') || source.name.startsWith(STATE_ROWS) || this.#sources.has(source.name)) {
        throw new StateRestoreError(
          this.#uid,
          `row source ${JSON.stringify(source.name)}: names are unique, without "/" and not "${STATE_ROWS}..."`,
        );
      }
      this.#sources.set(source.name, source);
      const pending = this.#pending.get(source.name);
      if (pending !== undefined) {
        this.#pending.delete(source.name);
        source.load(pending.keys, pending.rows);
      }
    }
  }

  /** Takes the restored rows of state `name`, if any (the state is being declared). */
  takePending(name: string): PendingRows | undefined {
    const rows = this.#pending.get(stateRows(name));
    this.#pending.delete(stateRows(name));
    return rows;
  }

  /** Number of keys restored for state `name` not declared yet. */
  pendingCount(name: string): number {
    return this.#pending.get(stateRows(name))?.keys.length ?? 0;
  }

  /** Names of the states restored and not declared yet. */
  pendingStates(): string[] {
    return [...this.#pending.keys()].filter((n) => n.startsWith(STATE_ROWS)).map((n) => n.slice(STATE_ROWS.length));
  }

  snapshot(incremental: boolean): KeyedStateExport {
    const states: Record<string, StateTableLayout> = {};
    const parts: ExportPart[] = [];
    for (const [name, pending] of this.#pending) {
      if (pending.layout !== undefined) defineOwn(states, name.slice(STATE_ROWS.length), pending.layout);
      parts.push({ source: pendingSource(name, pending), sameLayout: true });
    }
    const exported: [Table, StateTableLayout][] = [];
    for (const table of this.#tables.values()) {
      const layout = table.layout();
      defineOwn(states, table.name, layout);
      parts.push({ source: tableRows(table, layout, this.#uid), sameLayout: table.exported === layout });
      exported.push([table, layout]);
    }
    for (const source of this.#sources.values()) parts.push({ source, sameLayout: true });
    const tables = this.#exporter.export(parts, incremental);
    for (const [table, layout] of exported) table.exported = layout;
    return { header: { format: KEYED_STATE_FORMAT, states }, tables };
  }

  restore(data: unknown, options: KeyedRestoreOptions): void {
    const range = options.keyGroups;
    checkKeyGroupRange(range, 'keyGroups');
    const exported = migrateKeyedState(data, { uid: this.#uid, maxParallelism: this.#maxParallelism });
    const byName = rowsByName(exported, range, this.#uid);
    const layouts = exported.header.states;
    for (const table of this.#tables.values()) {
      table.main.clear();
      table.namespaces = undefined;
      table.namespaced = false;
      table.changed = undefined;
      table.exported = undefined;
    }
    this.#pending.clear();
    this.#exporter.reset();
    for (const name of Object.keys(layouts)) {
      if (!isLayout(layouts[name])) throw new StateRestoreError(this.#uid, `state ${JSON.stringify(name)}: no layout`);
    }
    for (const [name, rows] of byName) {
      const isState = name.startsWith(STATE_ROWS);
      const layout = isState ? layouts[name.slice(STATE_ROWS.length)] : undefined;
      if (isState && layout === undefined)
        throw new StateRestoreError(this.#uid, `state ${JSON.stringify(name.slice(STATE_ROWS.length))}: no layout`);
      const target = isState ? this.#tables.get(name.slice(STATE_ROWS.length)) : this.#sources.get(name);
      if (target === undefined) this.#pending.set(name, { ...rows, layout, exported: false });
      else if (isState) tableRows(target as Table, layout!, this.#uid).load(rows.keys, rows.rows);
      else (target as KeyedRowSource).load(rows.keys, rows.rows);
    }
    // A source without rows in the export has none: emptied.
    for (const [name, source] of this.#sources) if (!byName.has(name)) source.load([], []);
    // A state restored with no key in the range is still known, with its layout.
    for (const name of Object.keys(layouts)) {
      if (!this.#tables.has(name) && !byName.has(stateRows(name)))
        this.#pending.set(stateRows(name), { keys: [], rows: [], layout: layouts[name]!, exported: false });
    }
  }
}
