/**
 * A state cell (what a table holds for one key in one namespace, see table.ts) as exported data
 * and back: list state as an array, map state as `[mapKey, mapValue]` pairs, with TTL the
 * last-refresh stamps beside the value.
 */
import type { KeyPart } from '../core/keys.js';
import type { StateKind } from './descriptors.js';
import type { TtlCell } from './ttl-cleanup.js';

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
export function importCell(
  kind: StateKind,
  value: unknown,
  stamps: number | readonly number[] | undefined,
  ttl: boolean,
): unknown {
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

/** One cell as an exported row holds it: the value, with TTL `[value, stamps]` (see `StateTableLayout`). */
export function encodeCell(kind: StateKind, cell: unknown, ttl: boolean): unknown {
  if (!ttl && kind !== 'list' && kind !== 'map') return cell; // the common case, without a tuple per key
  const [value, stamps] = exportCell(kind, cell, ttl);
  return ttl ? [value, stamps] : value;
}
