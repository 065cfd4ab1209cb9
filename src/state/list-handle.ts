/**
 * The handle of list state; with TTL, each element keeps its own last-refresh time (Flink's
 * TtlListState).
 */
import { isExpired } from './ttl.js';
import type { Table } from './table.js';
import type { TtlCell } from './ttl-cleanup.js';
import type { ListState } from './state-types.js';

/** The handle of list state. */
export class ListHandle<T> implements ListState<T> {
  readonly #table: Table;

  constructor(table: Table) {
    this.#table = table;
  }

  get(): T[] {
    const id = this.#table.key();
    this.#table.accessed();
    const map = this.#table.segment(false);
    const cell = map?.get(id);
    if (cell === undefined) return [];
    const ttl = this.#table.ttl;
    if (ttl === undefined) return [...(cell as T[])];
    const now = this.#table.scope.now();
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
    if (live.length === 0) this.#table.delete(id, map);
    else if (live.length !== list.length || ttl.refreshOnRead) this.#table.set(id, live);
    return out;
  }

  add(value: T): void {
    const id = this.#table.key();
    this.#table.accessed();
    const cell = this.#table.segment(false)?.get(id) as unknown[] | undefined;
    const element = this.#table.ttl === undefined ? value : { v: value, t: this.#table.scope.now() };
    if (cell === undefined) this.#table.set(id, [element]);
    else {
      cell.push(element);
      this.#table.touch(id);
    }
  }

  addAll(values: Iterable<T>): void {
    for (const value of values) this.add(value);
  }

  update(values: Iterable<T>): void {
    const id = this.#table.key();
    this.#table.accessed();
    const now = this.#table.ttl === undefined ? 0 : this.#table.scope.now();
    const list = this.#table.ttl === undefined ? [...values] : [...values].map((v) => ({ v, t: now }));
    if (list.length === 0) this.#table.delete(id);
    else this.#table.set(id, list);
  }

  clear(): void {
    this.#table.delete(this.#table.key());
  }
}
