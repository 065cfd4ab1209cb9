/**
 * The keyed state backend: Map-based tables, one per state name, keyed by `keyId(key)`
 * (docs/architecture.md §2), in the spirit of Flink's HeapKeyedStateBackend / StateTable. A keyed operator
 * sets the current key (and, for windows, a namespace) before it calls user code; every state
 * handle then reads and writes the entry of that key. Outside of such a call the current key is
 * unset and any state access is a `NotKeyedError`.
 *
 * Tables (./table.ts) nest namespace -> key -> cell. A cell is the raw value for state without
 * TTL, and `{ v, t }` (value, last-refresh processing time) with TTL (./ttl-cleanup.ts).
 *
 * For incremental checkpoints, the backend can record which keys changed since the last
 * `takeChanges()` (off by default; one `Set.add` per write when on) and counts modifications in
 * `modCount`. `checkpointTables` / `restoreTables` export and import the state as checkpoint
 * tables (one row per key, see `StateTableLayout`), in full or as the keys changed since the
 * previous export.
 */
import type { KeyedTableSnapshot } from '../core/state-snapshot.js';
import { defineOwn } from '../core/plain-data.js';
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type {
  AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor,
  StateDescriptorBase, ValueStateDescriptor,
} from './descriptors.js';
import { StateDescriptorError, StateRestoreError } from './errors.js';
import { keyFromId } from './key-id.js';
import { deltaRows, layoutOf, rowsOf, segmentsOf, isLayout } from './checkpoint-tables.js';
import { AggregatingHandle, ReducingHandle, ValueHandle } from './handles.js';
import { ListHandle } from './list-handle.js';
import { MapHandle } from './map-handle.js';
import { isObject, loadTable, snapshotTable, validateTable } from './snapshot-format.js';
import type { KeyedStateCheckpoint, KeyedStateSnapshot, StateTableLayout, StateTableSnapshot } from './snapshot-types.js';
import type {
  AggregatingState, ListState, MapState, Namespace, ReducingState, ValueState,
} from './state-types.js';
import { Table, type Scope } from './table.js';

/** Options of a `KeyedStateBackend`: the owning operator's uid and its processing-time clock. */
export interface KeyedStateBackendOptions {
  /** The owning operator's uid, named in errors. */
  readonly uid?: string | undefined;
  /** Processing time, for TTL: the operator's ProcessingTimeService `now`. */
  readonly now: () => number;
}

/**
 * Keyed state of one operator. Create one per operator instance, set the current key before user
 * code runs, and clear it afterwards.
 *
 * @example
 * ```ts
 * import type { OperatorRuntime, StreamOperator } from 'rxflink/engine';
 *
 * // A custom keyed operator that emits, for each click, how many its user has made so far.
 * const seen = valueState<number>('seen', { defaultValue: 0 });
 * const clickNumbers = (runtime: OperatorRuntime): StreamOperator<Click, string, number, string> => {
 *   const state = new KeyedStateBackend({ uid: 'click-numbers', now: () => runtime.processingTime.now() });
 *   return {
 *     uid: 'click-numbers',
 *     processRecord(record, out) {
 *       state.setCurrentKey(record.key); // the state handles read and write this key's entry
 *       const n = state.getState(seen);
 *       n.update(n.value()! + 1);
 *       out.push({ ...record, value: n.value()! });
 *       state.clearCurrentKey();
 *     },
 *     snapshotState: () => state.snapshot(),
 *     restoreState: (snapshot) => state.restore(snapshot),
 *   };
 * };
 * ```
 */
export class KeyedStateBackend {
  readonly uid: string | undefined;
  readonly #scope: Scope;
  readonly #tables = new Map<string, Table>();
  readonly #handles = new Map<string, { descriptor: StateDescriptorBase; handle: unknown }>();
  /** Restored tables whose descriptor has not been declared yet; exported again unchanged. */
  readonly #pending = new Map<string, StateTableSnapshot>();
  /** Layouts of the pending tables as the last checkpoint export wrote them (unchanged since). */
  readonly #pendingExported = new Map<string, StateTableLayout>();
  readonly #everyRecord: Table[] = [];
  #tracking = false;

  constructor(options: KeyedStateBackendOptions) {
    this.uid = options.uid;
    this.#scope = { keyId: undefined, namespace: undefined, now: options.now, modCount: 0 };
  }

  /** Makes `key` the current key: state handles now read and write its entries. */
  setCurrentKey(key: Key): void {
    this.#scope.keyId = keyId(key);
  }

  /** Like `setCurrentKey`, with the key id (`keyId(key)`) already computed. */
  setCurrentKeyId(id: KeyPart): void {
    this.#scope.keyId = id;
  }

  /** Leaves the keyed context: any state access now throws `NotKeyedError`. */
  clearCurrentKey(): void {
    this.#scope.keyId = undefined;
  }

  /** The current key id, or undefined outside a keyed context. */
  get currentKeyId(): KeyPart | undefined {
    return this.#scope.keyId;
  }

  /** The current key, or undefined outside a keyed context. */
  get currentKey(): Key | undefined {
    const id = this.#scope.keyId;
    return id === undefined ? undefined : keyFromId(id);
  }

  /** Selects the namespace (a window) of the state handles; undefined is the default namespace. */
  setCurrentNamespace(namespace: Namespace | undefined): void {
    this.#scope.namespace = namespace;
  }

  /** Counts every modification of any state: a cheap generation number for change detection. */
  get modCount(): number {
    return this.#scope.modCount;
  }

  /**
   * The handle of the value state `descriptor` declares, created on the first call (loading what a
   * restore brought under its name) and the same object after. The handle reads and writes the
   * current key's entry. Throws `StateDescriptorError` if the name was declared, or restored, as
   * another kind of state, or with other TTL settings.
   */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.#handle(descriptor, (table) => new ValueHandle<T>(table, descriptor.defaultValue));
  }

  /** The handle of a list state; as `getState`, which says when it throws. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#handle(descriptor, (table) => new ListHandle<T>(table));
  }

  /** The handle of a map state; as `getState`, which says when it throws. */
  getMapState<UK extends KeyPart, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.#handle(descriptor, (table) => new MapHandle<UK, UV>(table));
  }

  /** The handle of a reducing state, folding with the descriptor's `reduce`; as `getState`, which says when it throws. */
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.#handle(descriptor, (table) => new ReducingHandle<T>(table, descriptor.reduce));
  }

  /** The handle of an aggregating state, using the descriptor's `aggregate`; as `getState`, which says when it throws. */
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.#handle(descriptor, (table) => new AggregatingHandle<IN, ACC, OUT>(table, descriptor.aggregate));
  }

  /** Runs per-record incremental TTL cleanup of the states configured with `everyRecord`. */
  onRecord(): void {
    for (const table of this.#everyRecord) table.cleanup(table.ttl!.cleanupSize);
  }

  /** Number of keys (per namespace) holding an entry of state `name`, expired or not. */
  entryCount(name: string): number {
    const table = this.#tables.get(name);
    if (table) return table.entryCount();
    // Imported but not declared yet: count what the import holds.
    let n = 0;
    for (const segment of this.#pending.get(name)?.segments ?? []) n += segment.keys.length;
    return n;
  }

  /** Names of the states declared or restored. */
  stateNames(): string[] {
    return [...new Set([...this.#tables.keys(), ...this.#pending.keys()])];
  }

  /** Drops every state entry of the current key in namespace `namespace` (windows: a purged window). */
  clearNamespace(namespace: Namespace): void {
    for (const table of this.#tables.values()) {
      const map = table.namespaces?.get(namespace);
      if (!map) continue;
      for (const id of map.keys()) table.touch(id);
      table.namespaces!.delete(namespace);
    }
  }

  // ---- Namespaces of the current key (windows: one namespace per window) ----

  /** The namespace the state handles read and write (undefined: the default namespace). */
  get currentNamespace(): Namespace | undefined {
    return this.#scope.namespace;
  }

  /**
   * Drops every state entry of the current key in `namespace`, and nothing of other keys (Flink's
   * `clear()` of each state in a window's namespace when the window is purged or cleaned up).
   */
  clearKeyNamespace(namespace: Namespace): void {
    const id = this.#scope.keyId;
    if (id === undefined) return;
    for (const table of this.#tables.values()) {
      const map = table.namespaces?.get(namespace);
      if (map !== undefined) table.delete(id, map);
    }
  }

  /** Whether the current key holds an entry of any state in `namespace`. */
  hasStateIn(namespace: Namespace): boolean {
    const id = this.#scope.keyId;
    if (id === undefined) return false;
    for (const table of this.#tables.values()) if (table.namespaces?.get(namespace)?.has(id) === true) return true;
    return false;
  }

  /** The states the current key holds in `namespace`, as [state name, raw cell] in declaration order. */
  cellsIn(namespace: Namespace): [string, unknown][] {
    const id = this.#scope.keyId;
    const cells: [string, unknown][] = [];
    if (id === undefined) return cells;
    for (const table of this.#tables.values()) {
      const map = table.namespaces?.get(namespace);
      if (map !== undefined && map.has(id)) cells.push([table.name, map.get(id)]);
    }
    return cells;
  }

  /** Starts (or stops) recording the keys whose state changes, for incremental snapshots. */
  trackChanges(enabled: boolean): void {
    this.#tracking = enabled;
    for (const table of this.#tables.values()) table.changed = enabled ? (table.changed ?? new Set()) : undefined;
  }

  /**
   * The keys whose state changed since the last call, per state name, and forgets them. It reads
   * the same record of changes as `checkpointTables`: a backend uses one or the other.
   */
  takeChanges(): Record<string, Key[]> {
    const result: Record<string, Key[]> = {};
    for (const table of this.#tables.values()) {
      if (!table.changed || table.changed.size === 0) continue;
      result[table.name] = [...table.changed].map(keyFromId);
      table.changed.clear();
    }
    return result;
  }

  /**
   * Exports every state as a checkpoint table (rows as described by `StateTableLayout`). With
   * `incremental`, a table holds only the keys changed since the previous call (a `delta`: their
   * new rows, and in `deletes` the keys left with no state at all); without it, or for a table
   * whose layout changed since, every key (`full`). The first call turns change tracking on and is
   * always full, as is the first after a restore, so that every delta has a parent to apply to.
   *
   * What this call exports is forgotten as changed, whether the checkpoint it goes into is stored or
   * not: when one fails, the next call must be full (the checkpoint coordinator does that).
   * Expired entries of states with `cleanupOnSnapshot` are removed first, in full tables from every
   * key, in deltas from the changed keys. Values must be plain data (`StateNotSerializableError`).
   *
   * @example
   * ```ts
   * const seen = valueState<number>('seen', { defaultValue: 0 });
   * const state = new KeyedStateBackend({ uid: 'click-numbers', now: () => runtime.processingTime.now() });
   * const click = (user: string): void => {
   *   state.setCurrentKey(user);
   *   state.getState(seen).update(state.getState(seen).value()! + 1);
   *   state.clearCurrentKey();
   * };
   * click('ann');
   * click('bob');
   * state.checkpointTables(true).tables; // the first call is full: { seen: { kind: 'full', keys: ['ann', 'bob'], values: [1, 1] } }
   * click('bob');
   * state.checkpointTables(true).tables; // { seen: { kind: 'delta', keys: ['bob'], values: [2], deletes: [] } }
   * ```
   */
  checkpointTables(incremental: boolean): KeyedStateCheckpoint {
    if (!this.#tracking) {
      // Changes are recorded from here on; what happened before is in this (full) export.
      this.trackChanges(true);
      incremental = false;
    }
    const layouts: Record<string, StateTableLayout> = {};
    const tables: Record<string, KeyedTableSnapshot> = {};
    for (const [name, pending] of this.#pending) {
      const layout = this.#pendingExported.get(name) ?? layoutOf(pending);
      defineOwn(layouts, name, layout);
      // A pending table never changes: after one full export, an empty delta says so.
      const delta = incremental && this.#pendingExported.has(name);
      defineOwn(tables, name, delta ? { kind: 'delta', keys: [], values: [], deletes: [] } : rowsOf(pending, layout));
      this.#pendingExported.set(name, layout);
    }
    for (const table of this.#tables.values()) {
      const layout = table.layout();
      defineOwn(layouts, table.name, layout);
      const delta = incremental && table.changed !== undefined && table.exported === layout;
      defineOwn(tables, table.name, delta ? deltaRows(table, layout, this.uid) : rowsOf(snapshotTable(table, this.uid), layout));
      table.changed?.clear();
      table.exported = layout;
    }
    return { layouts, tables };
  }

  /**
   * Replaces all state with checkpoint tables (from `checkpointTables`, with deltas applied: every
   * table `full`). A table of a state not declared yet is kept until it is, as `restore` does. The
   * next `checkpointTables` is full.
   */
  restoreTables(checkpoint: KeyedStateCheckpoint): void {
    if (!isObject(checkpoint) || !isObject(checkpoint.layouts) || !isObject(checkpoint.tables)) {
      throw new StateRestoreError(this.uid, 'keyed tables must be { layouts: {...}, tables: {...} }');
    }
    const states: Record<string, StateTableSnapshot> = {};
    for (const [name, table] of Object.entries(checkpoint.tables)) {
      const layout = checkpoint.layouts[name];
      if (!isLayout(layout)) throw new StateRestoreError(this.uid, `state ${JSON.stringify(name)}: no layout`);
      if (!isObject(table) || table.kind !== 'full' || !Array.isArray(table.keys) || !Array.isArray(table.values) || table.keys.length !== table.values.length) {
        throw new StateRestoreError(this.uid, `state ${JSON.stringify(name)}: expected a full table of keys and values of equal length`);
      }
      defineOwn(states, name, segmentsOf(this.uid, name, table, layout));
    }
    this.restore({ version: 1, states });
  }

  /**
   * Exports every key's state as plain data. Expired entries of states with `cleanupOnSnapshot`
   * are removed first (from memory too). A value that is not plain data is reported with a
   * `StateNotSerializableError` naming the uid, the state and the key.
   */
  snapshot(): KeyedStateSnapshot {
    const states: Record<string, StateTableSnapshot> = {};
    for (const [name, pending] of this.#pending) states[name] = pending;
    for (const table of this.#tables.values()) states[table.name] = snapshotTable(table, this.uid);
    return { version: 1, states };
  }

  /** Replaces all state with `snapshot` (from `snapshot()`), validating its shape. */
  restore(snapshot: unknown): void {
    if (!isObject(snapshot) || snapshot.version !== 1 || !isObject(snapshot.states)) {
      throw new StateRestoreError(this.uid, 'keyed state must be { version: 1, states: {...} }');
    }
    for (const table of this.#tables.values()) {
      table.main.clear();
      table.namespaces = undefined;
      table.namespaced = false;
      table.changed?.clear();
      table.exported = undefined;
    }
    this.#pending.clear();
    this.#pendingExported.clear();
    for (const [name, data] of Object.entries(snapshot.states)) {
      validateTable(this.uid, name, data);
      const table = this.#tables.get(name);
      if (table) loadTable(table, data);
      else this.#pending.set(name, data);
    }
  }

  #handle<H>(descriptor: StateDescriptorBase, create: (table: Table) => H): H {
    const known = this.#handles.get(descriptor.name);
    if (known !== undefined) {
      if (known.descriptor === descriptor) return known.handle as H;
      checkCompatible(known.descriptor, descriptor);
      return known.handle as H;
    }
    const table = new Table(descriptor.name, descriptor.kind, descriptor.resolvedTtl, this.#scope);
    if (this.#tracking) table.changed = new Set();
    this.#tables.set(table.name, table);
    if (table.ttl?.cleanupEveryRecord && table.ttl.cleanupSize > 0) this.#everyRecord.push(table);
    const pending = this.#pending.get(descriptor.name);
    if (pending) {
      this.#pending.delete(descriptor.name);
      // Its rows were exported as the pending table's: deltas go on from there if the layout is the same.
      table.exported = this.#pendingExported.get(descriptor.name);
      this.#pendingExported.delete(descriptor.name);
      if (pending.kind !== descriptor.kind) {
        throw new StateDescriptorError(descriptor.name, `declared as ${descriptor.kind} state but the imported state is ${pending.kind} state`);
      }
      loadTable(table, pending);
    }
    const handle = create(table);
    this.#handles.set(descriptor.name, { descriptor, handle });
    return handle;
  }
}

function checkCompatible(known: StateDescriptorBase, descriptor: StateDescriptorBase): void {
  if (known.kind !== descriptor.kind) {
    throw new StateDescriptorError(descriptor.name, `already declared as ${known.kind} state, now requested as ${descriptor.kind} state`);
  }
  if (
    (known.resolvedTtl === undefined) !== (descriptor.resolvedTtl === undefined) ||
    (known.resolvedTtl && descriptor.resolvedTtl && JSON.stringify(known.resolvedTtl) !== JSON.stringify(descriptor.resolvedTtl))
  ) {
    throw new StateDescriptorError(descriptor.name, 'declared twice with different ttl settings');
  }
}
