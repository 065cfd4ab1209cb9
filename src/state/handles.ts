/**
 * Handles of value-like state (value, reducing, aggregating). Each method reads the current key
 * from the table's scope at the call, so a handle obtained once can be used for every key (as
 * Flink's state objects are).
 */
import { isExpired } from './ttl.js';
import type { KeyPart } from '../core/keys.js';
import type { Table } from './table.js';
import type { TtlCell } from './ttl-cleanup.js';
import type { AggregatingState, ReducingState, ValueState } from './state-types.js';

/** Reads a value-like cell with TTL rules: undefined if absent or expired (and expired is removed). */
function readCell<V>(
  table: Table,
  id: KeyPart,
  forWrite: boolean,
): { value: V; found: true } | { found: false; expired?: V } {
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

/** The handle of value state. */
export class ValueHandle<T> implements ValueState<T> {
  readonly #table: Table;
  readonly #defaultValue: T | undefined;

  constructor(table: Table, defaultValue: T | undefined) {
    this.#table = table;
    this.#defaultValue = defaultValue;
  }

  value(): T | undefined {
    const id = this.#table.key();
    this.#table.accessed();
    const read = readCell<T>(this.#table, id, false);
    if (read.found) return read.value;
    if (read.expired !== undefined && this.#table.ttl!.returnExpired) return read.expired;
    return this.#defaultValue;
  }

  update(value: T | undefined): void {
    const id = this.#table.key();
    this.#table.accessed();
    if (value === undefined) this.#table.delete(id);
    else writeCell(this.#table, id, value);
  }

  clear(): void {
    this.#table.delete(this.#table.key());
  }
}

/** The handle of reducing state. */
export class ReducingHandle<T> implements ReducingState<T> {
  readonly #table: Table;
  readonly #reduce: (a: T, b: T) => T;

  constructor(table: Table, reduce: (a: T, b: T) => T) {
    this.#table = table;
    this.#reduce = reduce;
  }

  get(): T | undefined {
    const id = this.#table.key();
    this.#table.accessed();
    const read = readCell<T>(this.#table, id, false);
    if (read.found) return read.value;
    return this.#table.ttl?.returnExpired ? read.expired : undefined;
  }

  add(value: T): void {
    const id = this.#table.key();
    this.#table.accessed();
    const read = readCell<T>(this.#table, id, true);
    writeCell(this.#table, id, read.found ? this.#reduce(read.value, value) : value);
  }

  clear(): void {
    this.#table.delete(this.#table.key());
  }
}

/** The handle of aggregating state. */
export class AggregatingHandle<IN, ACC, OUT> implements AggregatingState<IN, OUT> {
  readonly #table: Table;
  readonly #aggregate: { createAccumulator(): ACC; add(value: IN, acc: ACC): ACC; getResult(acc: ACC): OUT };

  constructor(
    table: Table,
    aggregate: { createAccumulator(): ACC; add(value: IN, acc: ACC): ACC; getResult(acc: ACC): OUT },
  ) {
    this.#table = table;
    this.#aggregate = aggregate;
  }

  get(): OUT | undefined {
    const id = this.#table.key();
    this.#table.accessed();
    const read = readCell<ACC>(this.#table, id, false);
    if (read.found) return this.#aggregate.getResult(read.value);
    if (read.expired !== undefined && this.#table.ttl!.returnExpired) return this.#aggregate.getResult(read.expired);
    return undefined;
  }

  add(value: IN): void {
    const id = this.#table.key();
    this.#table.accessed();
    const read = readCell<ACC>(this.#table, id, true);
    const acc = read.found ? read.value : this.#aggregate.createAccumulator();
    writeCell(this.#table, id, this.#aggregate.add(value, acc));
  }

  clear(): void {
    this.#table.delete(this.#table.key());
  }
}
