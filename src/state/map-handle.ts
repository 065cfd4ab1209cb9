/**
 * The handle of map state; with TTL, each entry keeps its own last-refresh time (Flink's
 * TtlMapState).
 */
import { isExpired } from './ttl.js';
import type { KeyPart } from '../core/keys.js';
import type { Table } from './table.js';
import type { TtlCell } from './ttl-cleanup.js';
import type { MapState } from './state-types.js';

/** The handle of map state. */
export class MapHandle<UK extends KeyPart, UV> implements MapState<UK, UV> {
  readonly #table: Table;

  constructor(table: Table) {
    this.#table = table;
  }

  /** The current key's map, with expired entries removed; undefined if there is none. */
  #map(create: boolean): { map: Map<UK, unknown>; id: KeyPart } | undefined {
    const id = this.#table.key();
    this.#table.accessed();
    const segment = this.#table.segment(create);
    let map = segment?.get(id) as Map<UK, unknown> | undefined;
    if (map === undefined) {
      if (!create) return undefined;
      map = new Map();
      this.#table.set(id, map);
    }
    return { map, id };
  }

  #read(e: unknown, now: number): { live: boolean; value: UV } {
    const ttl = this.#table.ttl;
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
    const read = this.#read(e, this.#table.scope.now());
    if (!read.live) {
      this.#removeEntry(found, key);
      return this.#table.ttl!.returnExpired ? read.value : undefined;
    }
    if (this.#table.ttl?.refreshOnRead) this.#table.touch(found.id);
    return read.value;
  }

  put(key: UK, value: UV): void {
    const { map, id } = this.#map(true)!;
    map.set(key, this.#table.ttl === undefined ? value : { v: value, t: this.#table.scope.now() });
    this.#table.touch(id);
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
    if (this.#table.ttl === undefined) return true;
    if (isExpired((e as TtlCell<UV>).t, this.#table.ttl.ttl, this.#table.scope.now())) {
      this.#removeEntry(found, key);
      return this.#table.ttl.returnExpired;
    }
    return true;
  }

  entries(): [UK, UV][] {
    const found = this.#map(false);
    if (!found) return [];
    const now = this.#table.scope.now();
    const out: [UK, UV][] = [];
    const expired: UK[] = [];
    for (const [k, e] of found.map) {
      const read = this.#read(e, now);
      if (read.live || this.#table.ttl!.returnExpired) out.push([k, read.value]);
      if (!read.live) expired.push(k);
    }
    for (const k of expired) this.#removeEntry(found, k);
    if (this.#table.ttl?.refreshOnRead && found.map.size > 0) this.#table.touch(found.id);
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
    this.#table.delete(this.#table.key());
  }

  #removeEntry(found: { map: Map<UK, unknown>; id: KeyPart }, key: UK): void {
    if (!found.map.delete(key)) return;
    if (found.map.size === 0) this.#table.delete(found.id);
    else this.#table.touch(found.id);
  }
}
