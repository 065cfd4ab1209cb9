/**
 * The table of one state: namespace -> key id -> cell, with the record of changed keys for
 * incremental checkpoints and the incremental TTL cleanup cursor.
 *
 * Tables nest namespace -> key -> cell, the reverse of Flink's heap StateTable, because most
 * operators use only the default namespace (one Map) and windows can drop a whole namespace at
 * once.
 */
import { NotKeyedError } from '../core/errors.js';
import type { KeyPart } from '../core/keys.js';
import type { StateKind, StateSerializer } from './descriptors.js';
import type { StateTableLayout } from './snapshot-types.js';
import type { Namespace } from './state-types.js';
import { purge } from './ttl-cleanup.js';
import type { ResolvedTtl } from './ttl.js';

/** The cells of one namespace, by key id. */
export type SegmentMap = Map<KeyPart, unknown>;

/** Shared mutable key context of a backend; tables and handles read it on every access. */
export interface Scope {
  keyId: KeyPart | undefined;
  namespace: Namespace | undefined;
  readonly now: () => number;
  modCount: number;
}

/** The table of one state (Flink's StateTable). */
export class Table {
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
  /** A value state's serializer (its descriptor's): exports and restores its values. */
  serializer: StateSerializer<unknown> | undefined;

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
    if (this.namespaces)
      for (const map of [...this.namespaces.values()]) for (const [id, cell] of map) yield [map, id, cell];
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
