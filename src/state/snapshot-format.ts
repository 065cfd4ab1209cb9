/**
 * The segments format of keyed state (`snapshot()` / `restore()`, and tables restored before their
 * state is declared): a table's cells exported as columns per namespace, and imported back.
 */
import { keyId, type Key, type KeyPart } from '../core/keys.js';
import type { StateKind } from './descriptors.js';
import { StateDescriptorError, StateRestoreError } from './errors.js';
import { keyFromId } from './key-id.js';
import { checkSerializable } from './serializable.js';
import type { StateSegmentSnapshot, StateTableSnapshot } from './snapshot-types.js';
import type { SegmentMap, Table } from './table.js';
import type { TtlCell } from './ttl-cleanup.js';

/**
 * The segments of one table. Expired entries of a state with `cleanupOnSnapshot` are removed first
 * (from memory too); a value that is not plain data is a `StateNotSerializableError`.
 */
export function snapshotTable(table: Table, uid: string | undefined): StateTableSnapshot {
  const ttl = table.ttl;
  const now = table.scope.now();
  const clean = ttl?.cleanupOnSnapshot === true;
  const segments: StateSegmentSnapshot[] = [];
  for (const [ns, map] of table.segments()) {
    const keys: Key[] = [];
    const values: unknown[] = [];
    const ts: (number | number[])[] = [];
    for (const [id, stored] of map) {
      const cell = clean ? table.purged(map, id, stored, now) : stored;
      if (cell === undefined) continue;
      const key = keyFromId(id);
      const where = { uid: uid, state: table.name, key };
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


/** Fills `table` with `data` (validated by `validateTable`). */
export function loadTable(table: Table, data: StateTableSnapshot): void {
  if (data.kind !== table.kind) {
    throw new StateDescriptorError(table.name, `declared as ${table.kind} state but the imported state is ${data.kind} state`);
  }
  const now = table.scope.now();
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

/** A cell as exported: its value, and with TTL its stamps. */
export function exportCell(kind: StateKind, cell: unknown, ttl: boolean): [unknown, number | number[] | undefined] {
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
export function importCell(kind: StateKind, value: unknown, stamps: number | readonly number[] | undefined, ttl: boolean): unknown {
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

/** A plain object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the shape of an imported table, naming the state in a `StateRestoreError`. */
export function validateTable(uid: string | undefined, name: string, data: unknown): asserts data is StateTableSnapshot {
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
