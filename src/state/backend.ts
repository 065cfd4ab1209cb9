/**
 * The keyed state backend: Map-based tables, one per state name, keyed by `keyId(key)`
 * (docs/architecture.md §2), in the spirit of Flink's HeapKeyedStateBackend / StateTable. A keyed operator
 * sets the current key (and, for windows, a namespace) before it calls user code; every state
 * handle then reads and writes the entry of that key. Outside of such a call the current key is
 * unset and any state access is a `NotKeyedError`.
 *
 * Tables nest namespace -> key -> cell, the reverse of Flink's heap StateTable, because most
 * operators use only the default namespace (one Map) and windows can drop a whole namespace at
 * once. A cell is the raw value for state without TTL, and `{ v, t }` (value, last-refresh
 * processing time) with TTL: lists and maps with TTL keep one timestamp per element / entry, as
 * Flink's TtlListState and TtlMapState do.
 *
 * For incremental checkpoints, the backend can record which keys changed since the last
 * `takeChanges()` (off by default; one `Set.add` per write when on) and counts modifications in
 * `modCount`. `checkpointTables` / `restoreTables` export and import the state as checkpoint
 * tables (one row per key, see `StateTableLayout`), in full or as the keys changed since the
 * previous export.
 */
import type { KeyedTableSnapshot } from '../checkpoint/snapshot.js';
import { defineOwn } from '../core/plain-data.js';
import { NotKeyedError } from '../core/errors.js';
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type {
  AggregatingStateDescriptor, ListStateDescriptor, MapStateDescriptor, ReducingStateDescriptor,
  StateDescriptorBase, StateKind, ValueStateDescriptor,
} from './descriptors.js';
import { StateDescriptorError, StateRestoreError } from './errors.js';
import { keyFromId } from './key-id.js';
import { checkSerializable } from './serializable.js';
import { isExpired, type ResolvedTtl } from './ttl.js';

/** A namespace within a key's state (a window, for window operators). */
export type Namespace = string | number;

/** One value per key (Flink's ValueState). */
export interface ValueState<T> {
  /** The current key's value; the descriptor's default value (or undefined) if none or expired. */
  value(): T | undefined;
  /** Sets the current key's value; `undefined` clears it, as `null` does in Flink. */
  update(value: T | undefined): void;
  clear(): void;
}

/** A list of values per key (Flink's ListState). */
export interface ListState<T> {
  /** The current key's values (a copy): empty if none. */
  get(): T[];
  add(value: T): void;
  addAll(values: Iterable<T>): void;
  /** Replaces the current key's list; an empty list clears it. */
  update(values: Iterable<T>): void;
  clear(): void;
}

/** A map per key (Flink's MapState). */
export interface MapState<UK extends KeyPart, UV> {
  get(key: UK): UV | undefined;
  put(key: UK, value: UV): void;
  putAll(entries: Iterable<readonly [UK, UV]>): void;
  remove(key: UK): void;
  contains(key: UK): boolean;
  /** The current key's entries (a copy), in insertion order. */
  entries(): [UK, UV][];
  keys(): UK[];
  values(): UV[];
  isEmpty(): boolean;
  clear(): void;
}

/** Values added are folded into one (Flink's ReducingState). */
export interface ReducingState<T> {
  get(): T | undefined;
  add(value: T): void;
  clear(): void;
}

/** Inputs added are folded into an accumulator, read as a result (Flink's AggregatingState). */
export interface AggregatingState<IN, OUT> {
  get(): OUT | undefined;
  add(value: IN): void;
  clear(): void;
}

/** Exported data of one state: one segment per namespace (the default namespace has no `ns`). */
export interface StateTableSnapshot {
  readonly kind: StateKind;
  readonly segments: readonly StateSegmentSnapshot[];
}

/**
 * Columns of one namespace: `keys[i]` owns `values[i]`. With TTL, `ts[i]` is the last-refresh
 * processing time (an array for list and map state, one per element or entry). Map state values are
 * arrays of `[mapKey, mapValue]` pairs.
 */
export interface StateSegmentSnapshot {
  readonly ns?: Namespace;
  readonly keys: readonly Key[];
  readonly values: readonly unknown[];
  readonly ts?: readonly (number | readonly number[])[];
}

/** Exported data of a whole backend, as plain data. */
export interface KeyedStateSnapshot {
  readonly version: 1;
  readonly states: Readonly<Record<string, StateTableSnapshot>>;
}

/**
 * How the rows of one state's checkpoint table are encoded. A row holds everything one key has in
 * that state, so a delta can replace it whole:
 * - a cell is the state's exported value (value-like state: the value; list state: the array;
 *   map state: an array of `[mapKey, mapValue]` pairs); with `ttl` it is `[value, stamp]` (for lists
 *   and maps `[values, stamps]`, one last-refresh time per element or entry);
 * - without `namespaced` the row is the key's one cell (default namespace), so a table of counts is
 *   a column of plain numbers; with `namespaced` it is `[ns0, cell0, ns1, cell1, ...]`, with null
 *   for the default namespace.
 */
export interface StateTableLayout {
  readonly kind: StateKind;
  readonly ttl: boolean;
  readonly namespaced: boolean;
}

/**
 * Keyed state as checkpoint tables (from `checkpointTables`): the layouts are small and belong to
 * the operator's non-keyed state, stored in full each time; the tables go to its keyed tables.
 */
export interface KeyedStateCheckpoint {
  readonly layouts: Readonly<Record<string, StateTableLayout>>;
  readonly tables: Readonly<Record<string, KeyedTableSnapshot>>;
}

/** Options of a `KeyedStateBackend`: the owning operator's uid and its processing-time clock. */
export interface KeyedStateBackendOptions {
  /** The owning operator's uid, named in errors. */
  readonly uid?: string | undefined;
  /** Processing time, for TTL: the operator's ProcessingTimeService `now`. */
  readonly now: () => number;
}

interface TtlCell<V> {
  v: V;
  t: number;
}

type SegmentMap = Map<KeyPart, unknown>;

/** Shared mutable key context of a backend; tables and handles read it on every access. */
interface Scope {
  keyId: KeyPart | undefined;
  namespace: Namespace | undefined;
  readonly now: () => number;
  modCount: number;
}

class Table {
  readonly main: SegmentMap = new Map();
  namespaces: Map<Namespace, SegmentMap> | undefined;
  changed: Set<KeyPart> | undefined;
  /**
   * Whether this table ever had a non-default namespace (sticky: its checkpoint rows then list
   * namespaces, and a layout that changed between two checkpoints makes the second one full).
   */
  namespaced = false;
  /** The layout of the last checkpoint export, or undefined if there was none since a restore. */
  exported: StateTableLayout | undefined;
  #cursor: Iterator<[SegmentMap, KeyPart, unknown]> | undefined;

  constructor(
    readonly name: string,
    readonly kind: StateKind,
    readonly ttl: ResolvedTtl | undefined,
    readonly scope: Scope,
  ) {}

  /** The current key id; throws `NotKeyedError` outside a keyed context. */
  key(): KeyPart {
    const id = this.scope.keyId;
    if (id === undefined) throw new NotKeyedError(`keyed state ${JSON.stringify(this.name)}`);
    return id;
  }

  segment(create: boolean): SegmentMap | undefined {
    const ns = this.scope.namespace;
    if (ns === undefined) return this.main;
    let map = this.namespaces?.get(ns);
    if (map === undefined && create) {
      this.namespaces ??= new Map();
      this.namespaced = true;
      map = new Map();
      this.namespaces.set(ns, map);
    }
    return map;
  }

  set(id: KeyPart, cell: unknown): void {
    this.segment(true)!.set(id, cell);
    this.touch(id);
  }

  delete(id: KeyPart, map: SegmentMap | undefined = this.segment(false)): void {
    if (map === undefined || !map.delete(id)) return;
    this.touch(id);
    if (map !== this.main && map.size === 0) this.dropEmptyNamespace(map);
  }

  touch(id: KeyPart): void {
    this.scope.modCount++;
    if (this.changed !== undefined) this.changed.add(id);
  }

  /** Incremental TTL cleanup on access (Flink's TtlIncrementalCleanup): checks `cleanupSize` entries. */
  accessed(): void {
    const ttl = this.ttl;
    if (ttl !== undefined && ttl.cleanupSize > 0) this.cleanup(ttl.cleanupSize);
  }

  /** Checks up to `count` entries, continuing where the last call stopped, and removes expired ones. */
  cleanup(count: number): void {
    const ttl = this.ttl;
    if (ttl === undefined) return;
    const now = this.scope.now();
    let restarted = false;
    for (let i = 0; i < count; i++) {
      this.#cursor ??= this.allEntries();
      const next = this.#cursor.next();
      if (next.done) {
        this.#cursor = undefined;
        if (restarted) return; // the whole table was visited in this call
        restarted = true;
        i--;
        continue;
      }
      const [map, id, cell] = next.value;
      const kept = purge(this.kind, cell, ttl.ttl, now);
      if (kept === undefined) this.delete(id, map);
      else if (kept !== cell) {
        map.set(id, kept);
        this.touch(id);
      }
    }
  }

  /** The default namespace, then every other, with its namespace (undefined for the default). */
  segments(): [Namespace | undefined, SegmentMap][] {
    const maps: [Namespace | undefined, SegmentMap][] = [[undefined, this.main]];
    if (this.namespaces) for (const [ns, map] of this.namespaces) maps.push([ns, map]);
    return maps;
  }

  /**
   * The cell `stored` of `id` in `map` without its expired parts (stored back if some expired), or
   * undefined if all of it expired (then it is removed): what an export with `cleanupOnSnapshot` writes.
   */
  purged(map: SegmentMap, id: KeyPart, stored: unknown, now: number): unknown {
    const cell = purge(this.kind, stored, this.ttl!.ttl, now);
    if (cell === undefined) this.delete(id, map);
    else if (cell !== stored) map.set(id, cell);
    return cell;
  }

  *allEntries(): Generator<[SegmentMap, KeyPart, unknown]> {
    for (const [id, cell] of this.main) yield [this.main, id, cell];
    if (this.namespaces) for (const map of [...this.namespaces.values()]) for (const [id, cell] of map) yield [map, id, cell];
  }

  dropEmptyNamespace(map: SegmentMap): void {
    if (!this.namespaces) return;
    for (const [ns, m] of this.namespaces) {
      if (m === map) {
        this.namespaces.delete(ns);
        return;
      }
    }
  }

  layout(): StateTableLayout {
    const exported = this.exported;
    const ttl = this.ttl !== undefined;
    // Reuse the last layout object when nothing changed, so callers can compare by reference.
    if (exported !== undefined && exported.ttl === ttl && exported.namespaced === this.namespaced) return exported;
    return { kind: this.kind, ttl, namespaced: this.namespaced };
  }

  entryCount(): number {
    let n = this.main.size;
    if (this.namespaces) for (const map of this.namespaces.values()) n += map.size;
    return n;
  }
}

/**
 * Removes what expired from a cell: returns the cell itself if nothing expired, a new cell if some
 * list elements or map entries expired, and undefined if nothing is left.
 */
function purge(kind: StateKind, cell: unknown, ttl: number, now: number): unknown {
  switch (kind) {
    case 'list': {
      const list = cell as TtlCell<unknown>[];
      let live = 0;
      for (const e of list) if (!isExpired(e.t, ttl, now)) live++;
      if (live === list.length) return cell;
      if (live === 0) return undefined;
      return list.filter((e) => !isExpired(e.t, ttl, now));
    }
    case 'map': {
      const map = cell as Map<KeyPart, TtlCell<unknown>>;
      for (const [k, e] of map) if (isExpired(e.t, ttl, now)) map.delete(k);
      return map.size === 0 ? undefined : map;
    }
    default:
      return isExpired((cell as TtlCell<unknown>).t, ttl, now) ? undefined : cell;
  }
}

/**
 * Keyed state of one operator. Create one per operator instance, set the current key before user
 * code runs, and clear it afterwards.
 *
 * @example
 * ```ts
 * const backend = new KeyedStateBackend({ uid: 'counts', now: () => runtime.processingTime.now() });
 * const count = valueState<number>('count', { defaultValue: 0 });
 * backend.setCurrentKey(record.key);
 * const state = backend.getState(count);
 * state.update(state.value()! + 1);
 * backend.clearCurrentKey();
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

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.#handle(descriptor, (table) => new ValueHandle<T>(table, descriptor.defaultValue));
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#handle(descriptor, (table) => new ListHandle<T>(table));
  }

  getMapState<UK extends KeyPart, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.#handle(descriptor, (table) => new MapHandle<UK, UV>(table));
  }

  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.#handle(descriptor, (table) => new ReducingHandle<T>(table, descriptor.reduce));
  }

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
   * const first = backend.checkpointTables(false); // { layouts: { count: {...} }, tables: { count: { kind: 'full', ... } } }
   * // ... records update a few keys ...
   * const next = backend.checkpointTables(true); // tables.count: { kind: 'delta', keys: [changed keys], ... }
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
      defineOwn(tables, table.name, delta ? this.#deltaRows(table, layout) : rowsOf(this.#snapshotTable(table), layout));
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
    for (const table of this.#tables.values()) states[table.name] = this.#snapshotTable(table);
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
      if (table) this.#load(table, data);
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
      this.#load(table, pending);
    }
    const handle = create(table);
    this.#handles.set(descriptor.name, { descriptor, handle });
    return handle;
  }

  #snapshotTable(table: Table): StateTableSnapshot {
    const ttl = table.ttl;
    const now = this.#scope.now();
    const clean = ttl !== undefined && ttl.cleanupOnSnapshot;
    const segments: StateSegmentSnapshot[] = [];
    for (const [ns, map] of table.segments()) {
      const keys: Key[] = [];
      const values: unknown[] = [];
      const ts: (number | number[])[] = [];
      for (const [id, stored] of map) {
        const cell = clean ? table.purged(map, id, stored, now) : stored;
        if (cell === undefined) continue;
        const key = keyFromId(id);
        const where = { uid: this.uid, state: table.name, key };
        const [value, stamps] = exportCell(table.kind, cell, ttl !== undefined);
        checkSerializable(value, where);
        keys.push(key);
        values.push(value);
        if (ttl !== undefined) ts.push(stamps!);
      }
      if (ns !== undefined && keys.length === 0) continue;
      const segment: StateSegmentSnapshot = ttl !== undefined ? { keys, values, ts } : { keys, values };
      segments.push(ns === undefined ? segment : { ns, ...segment });
    }
    return { kind: table.kind, segments };
  }

  /** The rows of the keys changed since the last export (`table.changed`). */
  #deltaRows(table: Table, layout: StateTableLayout): KeyedTableSnapshot {
    const ttl = table.ttl;
    const clean = ttl !== undefined && ttl.cleanupOnSnapshot;
    const now = this.#scope.now();
    const keys: Key[] = [];
    const values: unknown[] = [];
    const deletes: Key[] = [];
    const segments = table.segments();
    // Purging expired entries below records changes again; they are in this delta, so take a copy.
    for (const id of [...table.changed!]) {
      let row: unknown[] | undefined;
      let single: unknown;
      for (const [ns, map] of segments) {
        const stored = map.get(id);
        const cell = clean && stored !== undefined ? table.purged(map, id, stored, now) : stored;
        if (cell === undefined) continue;
        const encoded = encodeCell(table.kind, cell, layout.ttl);
        // Primitives are plain data: the location of an error is built only for what may be one.
        if (typeof encoded === 'object' || typeof encoded === 'function' || typeof encoded === 'symbol') {
          checkSerializable(encoded, { uid: this.uid, state: table.name, key: keyFromId(id) });
        }
        if (!layout.namespaced) single = encoded;
        else (row ??= []).push(ns ?? null, encoded);
      }
      const key = keyFromId(id);
      const value = layout.namespaced ? row : single;
      if (value === undefined) deletes.push(key);
      else {
        keys.push(key);
        values.push(value);
      }
    }
    return { kind: 'delta', keys, values, deletes };
  }

  #load(table: Table, data: StateTableSnapshot): void {
    if (data.kind !== table.kind) {
      throw new StateDescriptorError(table.name, `declared as ${table.kind} state but the imported state is ${data.kind} state`);
    }
    const now = this.#scope.now();
    const withTtl = table.ttl !== undefined;
    for (const segment of data.segments) {
      let map: SegmentMap = table.main;
      if (segment.ns !== undefined) {
        table.namespaces ??= new Map();
        table.namespaced = true;
        map = new Map();
        table.namespaces.set(segment.ns, map);
      }
      const { keys, values } = segment;
      if (!withTtl && table.kind !== 'list' && table.kind !== 'map') {
        // The common case (counts, sums, accumulators without TTL): the exported value is the cell.
        for (let i = 0; i < keys.length; i++) map.set(keyId(keys[i]!), values[i]);
        continue;
      }
      for (let i = 0; i < keys.length; i++) {
        map.set(keyId(keys[i]!), importCell(table.kind, values[i], withTtl ? (segment.ts?.[i] ?? now) : undefined, withTtl));
      }
    }
  }
}

function exportCell(kind: StateKind, cell: unknown, ttl: boolean): [unknown, number | number[] | undefined] {
  if (!ttl) {
    if (kind === 'list') return [[...(cell as unknown[])], undefined];
    if (kind === 'map') return [[...(cell as Map<KeyPart, unknown>)], undefined];
    return [cell, undefined];
  }
  if (kind === 'list') {
    const list = cell as TtlCell<unknown>[];
    return [list.map((e) => e.v), list.map((e) => e.t)];
  }
  if (kind === 'map') {
    const map = cell as Map<KeyPart, TtlCell<unknown>>;
    const entries: [KeyPart, unknown][] = [];
    const stamps: number[] = [];
    for (const [k, e] of map) {
      entries.push([k, e.v]);
      stamps.push(e.t);
    }
    return [entries, stamps];
  }
  const { v, t } = cell as TtlCell<unknown>;
  return [v, t];
}

/** Builds a cell from exported data; `stamps` are the exported TTL timestamps, or `now` if the export had none. */
function importCell(kind: StateKind, value: unknown, stamps: number | readonly number[] | undefined, ttl: boolean): unknown {
  const stampAt = (i: number): number => (typeof stamps === 'number' ? stamps : stamps![i]!);
  if (kind === 'list') {
    const list = value as unknown[];
    return ttl ? list.map((v, i) => ({ v, t: stampAt(i) })) : [...list];
  }
  if (kind === 'map') {
    const entries = value as [KeyPart, unknown][];
    return new Map(entries.map(([k, v], i) => [k, ttl ? { v, t: stampAt(i) } : v]));
  }
  return ttl ? { v: value, t: stampAt(0) } : value;
}

// ---------------------------------------------------------------------------------------------
// Checkpoint tables: rows per key (see StateTableLayout), converted from and to the segments of
// `StateTableSnapshot`, which `snapshot()` / `restore()` and pending tables use.

/** One cell as a checkpoint row encodes it. */
function encodeCell(kind: StateKind, cell: unknown, ttl: boolean): unknown {
  if (!ttl && kind !== 'list' && kind !== 'map') return cell; // the common case, without a tuple per key
  const [value, stamps] = exportCell(kind, cell, ttl);
  return ttl ? [value, stamps] : value;
}

/** The layout that rows of `data` get when it is exported as it is (a pending table). */
function layoutOf(data: StateTableSnapshot): StateTableLayout {
  return {
    kind: data.kind,
    ttl: data.segments.some((s) => s.ts !== undefined && s.keys.length > 0),
    namespaced: data.segments.some((s) => s.ns !== undefined),
  };
}

/** A full table of rows from segments (each key once per segment). */
function rowsOf(data: StateTableSnapshot, layout: StateTableLayout): KeyedTableSnapshot {
  const cellOf = (segment: StateSegmentSnapshot, i: number): unknown => {
    if (!layout.ttl) return segment.values[i];
    // A table without stamps exported with a TTL layout (never the case for one table) gets none.
    return [segment.values[i], segment.ts?.[i] ?? (data.kind === 'list' || data.kind === 'map' ? [] : 0)];
  };
  if (!layout.namespaced) {
    const segment = data.segments[0];
    if (segment === undefined) return { kind: 'full', keys: [], values: [] };
    // Without TTL the segment's columns are the rows already: a million counts are not copied.
    if (!layout.ttl) return { kind: 'full', keys: segment.keys, values: segment.values };
    const values = new Array<unknown>(segment.keys.length);
    for (let i = 0; i < values.length; i++) values[i] = cellOf(segment, i);
    return { kind: 'full', keys: segment.keys, values };
  }
  const rows = new Map<KeyPart, [Key, unknown[]]>();
  for (const segment of data.segments) {
    for (let i = 0; i < segment.keys.length; i++) {
      const key = segment.keys[i]!;
      const id = keyId(key);
      let row = rows.get(id);
      if (row === undefined) rows.set(id, (row = [key, []]));
      row[1].push(segment.ns ?? null, cellOf(segment, i));
    }
  }
  const keys: Key[] = [];
  const values: unknown[] = [];
  for (const [key, row] of rows.values()) {
    keys.push(key);
    values.push(row);
  }
  return { kind: 'full', keys, values };
}

/** Segments from a full table of rows; the shape of each row is checked against `layout`. */
function segmentsOf(uid: string | undefined, name: string, table: { keys: readonly Key[]; values: readonly unknown[] }, layout: StateTableLayout): StateTableSnapshot {
  const fail = (i: number, reason: string): never => {
    throw new StateRestoreError(uid, `state ${JSON.stringify(name)}: the row of key ${JSON.stringify(String(table.keys[i]))} ${reason}`);
  };
  interface Columns { ns?: Namespace; keys: Key[]; values: unknown[]; ts?: (number | readonly number[])[] }
  const columns = new Map<Namespace | null, Columns>();
  const columnsOf = (ns: Namespace | null): Columns => {
    let c = columns.get(ns);
    if (c === undefined) {
      c = ns === null ? { keys: [], values: [] } : { ns, keys: [], values: [] };
      if (layout.ttl) c.ts = [];
      columns.set(ns, c);
    }
    return c;
  };
  const add = (c: Columns, i: number, cell: unknown): void => {
    c.keys.push(table.keys[i]!);
    if (!layout.ttl) {
      c.values.push(cell);
      return;
    }
    if (!Array.isArray(cell) || cell.length !== 2) fail(i, 'needs [value, stamps] cells (ttl layout)');
    c.values.push((cell as unknown[])[0]);
    c.ts!.push((cell as [unknown, number | number[]])[1]);
  };
  if (!layout.namespaced && !layout.ttl) {
    return { kind: layout.kind, segments: [{ keys: table.keys, values: table.values }] };
  }
  columnsOf(null);
  for (let i = 0; i < table.keys.length; i++) {
    const row = table.values[i];
    if (!layout.namespaced) {
      add(columnsOf(null), i, row);
      continue;
    }
    if (!Array.isArray(row) || row.length % 2 !== 0) fail(i, 'must be [namespace, cell, ...] (namespaced layout)');
    const cells = row as unknown[];
    for (let j = 0; j < cells.length; j += 2) {
      const ns = cells[j];
      if (ns !== null && typeof ns !== 'string' && typeof ns !== 'number') fail(i, `has namespace ${String(ns)}`);
      add(columnsOf(ns as Namespace | null), i, cells[j + 1]);
    }
  }
  return { kind: layout.kind, segments: [...columns.values()] };
}

function isLayout(value: unknown): value is StateTableLayout {
  return isObject(value) && typeof value.kind === 'string' && typeof value.ttl === 'boolean' && typeof value.namespaced === 'boolean';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateTable(uid: string | undefined, name: string, data: unknown): asserts data is StateTableSnapshot {
  const fail = (reason: string): never => {
    throw new StateRestoreError(uid, `state ${JSON.stringify(name)}: ${reason}`);
  };
  if (!isObject(data)) fail('must be an object');
  const table = data as Record<string, unknown>;
  if (!['value', 'list', 'map', 'reducing', 'aggregating'].includes(table.kind as string)) fail(`unknown kind ${String(table.kind)}`);
  if (!Array.isArray(table.segments)) fail('segments must be an array');
  for (const segment of table.segments as unknown[]) {
    if (!isObject(segment) || !Array.isArray(segment.keys) || !Array.isArray(segment.values)) fail('each segment needs keys and values arrays');
    const s = segment as Record<string, unknown[]>;
    if (s.keys!.length !== s.values!.length) fail('keys and values differ in length');
    if (s.ts !== undefined && (!Array.isArray(s.ts) || s.ts.length !== s.keys!.length)) fail('ts and keys differ in length');
    if ((table.kind === 'list' || table.kind === 'map') && !s.values!.every(Array.isArray)) fail(`${String(table.kind)} values must be arrays`);
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

// ---------------------------------------------------------------------------------------------
// State handles. Each method reads the current key from the table's scope at the call, so a
// handle obtained once can be used for every key (as Flink's state objects are).

/** Reads a value-like cell with TTL rules: undefined if absent or expired (and expired is removed). */
function readCell<V>(table: Table, id: KeyPart, forWrite: boolean): { value: V; found: true } | { found: false; expired?: V } {
  const map = table.segment(false);
  if (map === undefined) return { found: false };
  const cell = map.get(id);
  if (cell === undefined) return { found: false };
  const ttl = table.ttl;
  if (ttl === undefined) return { value: cell as V, found: true };
  const c = cell as TtlCell<V>;
  const now = table.scope.now();
  if (isExpired(c.t, ttl.ttl, now)) {
    table.delete(id, map);
    return { found: false, expired: c.v };
  }
  if (ttl.refreshOnRead && !forWrite) {
    c.t = now;
    table.touch(id);
  }
  return { value: c.v, found: true };
}

function writeCell(table: Table, id: KeyPart, value: unknown): void {
  table.set(id, table.ttl === undefined ? value : { v: value, t: table.scope.now() });
}

class ValueHandle<T> implements ValueState<T> {
  constructor(private readonly table: Table, private readonly defaultValue: T | undefined) {}

  value(): T | undefined {
    const id = this.table.key();
    this.table.accessed();
    const read = readCell<T>(this.table, id, false);
    if (read.found) return read.value;
    if (read.expired !== undefined && this.table.ttl!.returnExpired) return read.expired;
    return this.defaultValue;
  }

  update(value: T | undefined): void {
    const id = this.table.key();
    this.table.accessed();
    if (value === undefined) this.table.delete(id);
    else writeCell(this.table, id, value);
  }

  clear(): void {
    this.table.delete(this.table.key());
  }
}

class ReducingHandle<T> implements ReducingState<T> {
  constructor(private readonly table: Table, private readonly reduce: (a: T, b: T) => T) {}

  get(): T | undefined {
    const id = this.table.key();
    this.table.accessed();
    const read = readCell<T>(this.table, id, false);
    if (read.found) return read.value;
    return this.table.ttl?.returnExpired ? read.expired : undefined;
  }

  add(value: T): void {
    const id = this.table.key();
    this.table.accessed();
    const read = readCell<T>(this.table, id, true);
    writeCell(this.table, id, read.found ? this.reduce(read.value, value) : value);
  }

  clear(): void {
    this.table.delete(this.table.key());
  }
}

class AggregatingHandle<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  constructor(
    private readonly table: Table,
    private readonly aggregate: { createAccumulator(): ACC; add(value: IN, acc: ACC): ACC; getResult(acc: ACC): OUT },
  ) {}

  get(): OUT | undefined {
    const id = this.table.key();
    this.table.accessed();
    const read = readCell<ACC>(this.table, id, false);
    if (read.found) return this.aggregate.getResult(read.value);
    if (read.expired !== undefined && this.table.ttl!.returnExpired) return this.aggregate.getResult(read.expired);
    return undefined;
  }

  add(value: IN): void {
    const id = this.table.key();
    this.table.accessed();
    const read = readCell<ACC>(this.table, id, true);
    const acc = read.found ? read.value : this.aggregate.createAccumulator();
    writeCell(this.table, id, this.aggregate.add(value, acc));
  }

  clear(): void {
    this.table.delete(this.table.key());
  }
}

class ListHandle<T> implements ListState<T> {
  constructor(private readonly table: Table) {}

  get(): T[] {
    const id = this.table.key();
    this.table.accessed();
    const map = this.table.segment(false);
    const cell = map?.get(id);
    if (cell === undefined) return [];
    const ttl = this.table.ttl;
    if (ttl === undefined) return [...(cell as T[])];
    const now = this.table.scope.now();
    const list = cell as TtlCell<T>[];
    const out: T[] = [];
    const live: TtlCell<T>[] = [];
    for (const e of list) {
      if (isExpired(e.t, ttl.ttl, now)) {
        if (ttl.returnExpired) out.push(e.v);
        continue;
      }
      if (ttl.refreshOnRead) e.t = now;
      live.push(e);
      out.push(e.v);
    }
    if (live.length === 0) this.table.delete(id, map);
    else if (live.length !== list.length || ttl.refreshOnRead) this.table.set(id, live);
    return out;
  }

  add(value: T): void {
    const id = this.table.key();
    this.table.accessed();
    const cell = this.table.segment(false)?.get(id) as unknown[] | undefined;
    const element = this.table.ttl === undefined ? value : { v: value, t: this.table.scope.now() };
    if (cell === undefined) this.table.set(id, [element]);
    else {
      cell.push(element);
      this.table.touch(id);
    }
  }

  addAll(values: Iterable<T>): void {
    for (const value of values) this.add(value);
  }

  update(values: Iterable<T>): void {
    const id = this.table.key();
    this.table.accessed();
    const now = this.table.ttl === undefined ? 0 : this.table.scope.now();
    const list = this.table.ttl === undefined ? [...values] : [...values].map((v) => ({ v, t: now }));
    if (list.length === 0) this.table.delete(id);
    else this.table.set(id, list);
  }

  clear(): void {
    this.table.delete(this.table.key());
  }
}

class MapHandle<UK extends KeyPart, UV> implements MapState<UK, UV> {
  constructor(private readonly table: Table) {}

  /** The current key's map, with expired entries removed; undefined if there is none. */
  #map(create: boolean): { map: Map<UK, unknown>; id: KeyPart } | undefined {
    const id = this.table.key();
    this.table.accessed();
    const segment = this.table.segment(create);
    let map = segment?.get(id) as Map<UK, unknown> | undefined;
    if (map === undefined) {
      if (!create) return undefined;
      map = new Map();
      this.table.set(id, map);
    }
    return { map, id };
  }

  #read(e: unknown, now: number): { live: boolean; value: UV } {
    const ttl = this.table.ttl;
    if (ttl === undefined) return { live: true, value: e as UV };
    const cell = e as TtlCell<UV>;
    if (isExpired(cell.t, ttl.ttl, now)) return { live: false, value: cell.v };
    if (ttl.refreshOnRead) cell.t = now;
    return { live: true, value: cell.v };
  }

  get(key: UK): UV | undefined {
    const found = this.#map(false);
    if (!found) return undefined;
    const e = found.map.get(key);
    if (e === undefined) return undefined;
    const read = this.#read(e, this.table.scope.now());
    if (!read.live) {
      this.#removeEntry(found, key);
      return this.table.ttl!.returnExpired ? read.value : undefined;
    }
    if (this.table.ttl?.refreshOnRead) this.table.touch(found.id);
    return read.value;
  }

  put(key: UK, value: UV): void {
    const { map, id } = this.#map(true)!;
    map.set(key, this.table.ttl === undefined ? value : { v: value, t: this.table.scope.now() });
    this.table.touch(id);
  }

  putAll(entries: Iterable<readonly [UK, UV]>): void {
    for (const [k, v] of entries) this.put(k, v);
  }

  remove(key: UK): void {
    const found = this.#map(false);
    if (found) this.#removeEntry(found, key);
  }

  contains(key: UK): boolean {
    const found = this.#map(false);
    if (!found) return false;
    const e = found.map.get(key);
    if (e === undefined) return false;
    if (this.table.ttl === undefined) return true;
    if (isExpired((e as TtlCell<UV>).t, this.table.ttl.ttl, this.table.scope.now())) {
      this.#removeEntry(found, key);
      return this.table.ttl.returnExpired;
    }
    return true;
  }

  entries(): [UK, UV][] {
    const found = this.#map(false);
    if (!found) return [];
    const now = this.table.scope.now();
    const out: [UK, UV][] = [];
    const expired: UK[] = [];
    for (const [k, e] of found.map) {
      const read = this.#read(e, now);
      if (read.live || this.table.ttl!.returnExpired) out.push([k, read.value]);
      if (!read.live) expired.push(k);
    }
    for (const k of expired) this.#removeEntry(found, k);
    if (this.table.ttl?.refreshOnRead && found.map.size > 0) this.table.touch(found.id);
    return out;
  }

  keys(): UK[] {
    return this.entries().map(([k]) => k);
  }

  values(): UV[] {
    return this.entries().map(([, v]) => v);
  }

  isEmpty(): boolean {
    return this.entries().length === 0;
  }

  clear(): void {
    this.table.delete(this.table.key());
  }

  #removeEntry(found: { map: Map<UK, unknown>; id: KeyPart }, key: UK): void {
    if (!found.map.delete(key)) return;
    if (found.map.size === 0) this.table.delete(found.id);
    else this.table.touch(found.id);
  }
}
