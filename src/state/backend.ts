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
 * `snapshot` / `restore` export and import the state in the one key-grouped format (rows per key,
 * grouped by key group, full or as the keys changed since the previous export; backend-export.ts),
 * with the rows of the sources attached (an operator's timers). Changed keys are recorded from
 * the first export on (one `Set.add` per write); `modCount` counts modifications.
 */
import { DEFAULT_MAX_PARALLELISM, keyId, type Key, type KeyPart } from '../core/keys.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptorBase,
  ValueStateDescriptor,
} from './descriptors.js';
import { StateDescriptorError } from './errors.js';
import { keyFromId } from './key-id.js';
import { BackendExport } from './backend-export.js';
import { AggregatingHandle, ReducingHandle, ValueHandle } from './handles.js';
import { ListHandle } from './list-handle.js';
import { MapHandle } from './map-handle.js';
import type { KeyedRowSource } from './row-source.js';
import type { KeyedRestoreOptions, KeyedStateExport } from './snapshot-types.js';
import { loadPending } from './table-rows.js';
import type { AggregatingState, ListState, MapState, Namespace, ReducingState, ValueState } from './state-types.js';
import { Table, type Scope } from './table.js';
import { cellsOfKeyIn, clearKeyIn, hasKeyIn, valuesOf } from './namespace-reads.js';

/** Options of a `KeyedStateBackend`: the owning operator's uid and its processing-time clock. */
export interface KeyedStateBackendOptions {
  /** The owning operator's uid, named in errors. */
  readonly uid?: string | undefined;
  /** Processing time, for TTL: the operator's ProcessingTimeService `now`. */
  readonly now: () => number;
  /**
   * The number of key groups (Flink's max parallelism) that exports group keys by: the same as the
   * `keyBy` before the operator (default 128, as keyBy's).
   */
  readonly maxParallelism?: number | undefined;
  /** A key id's key group in exports, when not `keyGroupOf(key, maxParallelism)` (one its keyBy gave). */
  readonly keyGroupOf?: ((id: KeyPart) => number) | undefined;
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
 *     snapshotCheckpoint: (checkpoint) => {
 *       const { header, tables } = state.snapshot({ incremental: checkpoint.incremental });
 *       return { stateVersion: 0, state: header, keyed: tables };
 *     },
 *     restoreCheckpoint: (stored) => state.restore({ header: stored.state, tables: stored.keyed ?? {} }),
 *   };
 * };
 * ```
 */
export class KeyedStateBackend {
  readonly uid: string | undefined;
  readonly #scope: Scope;
  readonly #tables = new Map<string, Table>();
  readonly #handles = new Map<string, { descriptor: StateDescriptorBase; handle: unknown }>();
  readonly #everyRecord: Table[] = [];
  /** Export and import (backend-export.ts). */
  readonly #io: BackendExport;

  constructor(options: KeyedStateBackendOptions) {
    this.uid = options.uid;
    this.#scope = { keyId: undefined, namespace: undefined, now: options.now, modCount: 0 };
    this.#io = new BackendExport(
      options.uid,
      options.maxParallelism ?? DEFAULT_MAX_PARALLELISM,
      this.#tables,
      options.keyGroupOf,
    );
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
    // Imported but not declared yet: count the keys the import holds.
    return this.#io.pendingCount(name);
  }

  /**
   * Each key's value of the declared state `name` in the default namespace (with TTL: the value,
   * expired or not), read without touching what incremental checkpoints record as changed, for
   * read-only views such as queryable state (`snapshot()` would end the current delta).
   *
   * @example
   * ```ts
   * const state = new KeyedStateBackend({ uid: 'click-numbers', now: () => 0 });
   * for (const [key, value] of state.readValues('seen')) console.log(key, value);
   * ```
   */
  readValues(name: string): Generator<[Key, unknown]> {
    return valuesOf(this.#tables.get(name));
  }

  /** Names of the states declared or restored. */
  stateNames(): string[] {
    return [...new Set([...this.#tables.keys(), ...this.#io.pendingStates()])];
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
    clearKeyIn(this.#tables.values(), this.#scope.keyId, namespace);
  }

  /** Whether the current key holds an entry of any state in `namespace`. */
  hasStateIn(namespace: Namespace): boolean {
    return hasKeyIn(this.#tables.values(), this.#scope.keyId, namespace);
  }

  /** The states the current key holds in `namespace`, as [state name, raw cell] in declaration order. */
  cellsIn(namespace: Namespace): [string, unknown][] {
    return cellsOfKeyIn(this.#tables.values(), this.#scope.keyId, namespace);
  }

  /**
   * Adds rows per key to export and restore with the states (row-source.ts): an operator's timers
   * (`timers.rowSources(uid)`), or other per-key data of its own.
   */
  attach(...sources: KeyedRowSource[]): void {
    this.#io.attach(sources);
  }

  /**
   * Exports every state, and the rows of the attached sources, in the key-grouped format
   * (docs/checkpoints.md §10): a small header and keyed tables named `<keyGroup>/<rows>`, one row
   * per key. With `incremental`, a table holds only the keys changed since the previous call (a
   * `delta`: their new rows, and in `deletes` the keys left with no row); without it, or for a
   * state whose layout changed since, every key (`full`). The first call is always full, as is the
   * first after a restore, so that every delta has a parent to apply to.
   *
   * What this call exports is forgotten as changed, whether the checkpoint it goes into is stored or
   * not: when one fails, the next call must be full (the checkpoint coordinator does that).
   * Expired entries of states with `cleanupOnSnapshot` are removed first. Values must be plain data
   * (`StateNotSerializableError`).
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
   * state.snapshot().tables; // { '87/state:seen': { kind: 'full', keys: ['bob'], values: [1] }, '100/state:seen': { kind: 'full', keys: ['ann'], values: [1] } } (key groups 87 and 100)
   * click('bob');
   * state.snapshot({ incremental: true }).tables; // '87/state:seen' is { kind: 'delta', keys: ['bob'], values: [2], deletes: [] }, '100/state:seen' an empty delta
   * ```
   */
  snapshot(options: { readonly incremental?: boolean } = {}): KeyedStateExport {
    return this.#io.snapshot(options.incremental === true);
  }

  /**
   * Replaces all state (and the attached sources' rows) with an export of `snapshot()`, deltas
   * applied (every table full), or with state stored in an earlier format, migrated
   * (format-migration.ts). With `keyGroups`, only the keys of that inclusive range of key groups
   * are restored: the tables of the other groups are not read. Rows of a state not declared yet are
   * kept until it is, and exported as they are meanwhile. The next `snapshot()` is full.
   * `StateRestoreError` on malformed data; `InvalidOptionError` on a malformed range.
   *
   * @example
   * ```ts
   * const exported = new KeyedStateBackend({ uid: 'click-numbers', now: () => 0 }).snapshot();
   * const firstHalf = new KeyedStateBackend({ uid: 'click-numbers', now: () => 0 });
   * firstHalf.restore(exported, { keyGroups: { start: 0, end: 63 } }); // the keys of key groups 0 to 63
   * ```
   */
  restore(data: unknown, options: KeyedRestoreOptions = {}): void {
    this.#io.restore(data, options);
  }

  #handle<H>(descriptor: StateDescriptorBase, create: (table: Table) => H): H {
    const known = this.#handles.get(descriptor.name);
    if (known !== undefined) {
      if (known.descriptor === descriptor) return known.handle as H;
      checkCompatible(known.descriptor, descriptor);
      return known.handle as H;
    }
    const table = new Table(descriptor.name, descriptor.kind, descriptor.resolvedTtl, this.#scope);
    if (descriptor.kind === 'value') table.serializer = (descriptor as ValueStateDescriptor<unknown>).serializer;
    this.#tables.set(table.name, table);
    if (table.ttl?.cleanupEveryRecord && table.ttl.cleanupSize > 0) this.#everyRecord.push(table);
    const pending = this.#io.takePending(descriptor.name);
    if (pending !== undefined) loadPending(table, pending, this.uid);
    const handle = create(table);
    this.#handles.set(descriptor.name, { descriptor, handle });
    return handle;
  }
}

function checkCompatible(known: StateDescriptorBase, descriptor: StateDescriptorBase): void {
  if (known.kind !== descriptor.kind) {
    throw new StateDescriptorError(
      descriptor.name,
      `already declared as ${known.kind} state, now requested as ${descriptor.kind} state`,
    );
  }
  if (
    (known.resolvedTtl === undefined) !== (descriptor.resolvedTtl === undefined) ||
    (known.resolvedTtl &&
      descriptor.resolvedTtl &&
      JSON.stringify(known.resolvedTtl) !== JSON.stringify(descriptor.resolvedTtl))
  ) {
    throw new StateDescriptorError(descriptor.name, 'declared twice with different ttl settings');
  }
}
