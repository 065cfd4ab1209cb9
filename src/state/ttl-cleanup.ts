/**
 * What expired leaves a cell (Flink's TTL cleanup): a cell with TTL holds its last-refresh time;
 * lists and maps keep one per element or entry, as Flink's TtlListState and TtlMapState do.
 */
import type { KeyPart } from '../core/keys.js';
import type { StateKind } from './descriptors.js';
import { isExpired } from './ttl.js';

/** A value with its last-refresh processing time. */
export interface TtlCell<V> {
  v: V;
  t: number;
}

/**
 * Removes what expired from a cell: returns the cell itself if nothing expired, a new cell if some
 * list elements or map entries expired, and undefined if nothing is left.
 */
export function purge(kind: StateKind, cell: unknown, ttl: number, now: number): unknown {
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
      // A new map, not the old one changed in place: the caller sees that entries expired, and
      // records the key as changed for the next incremental checkpoint.
      const map = cell as Map<KeyPart, TtlCell<unknown>>;
      let live = 0;
      for (const e of map.values()) if (!isExpired(e.t, ttl, now)) live++;
      if (live === map.size) return cell;
      if (live === 0) return undefined;
      const kept = new Map<KeyPart, TtlCell<unknown>>();
      for (const [k, e] of map) if (!isExpired(e.t, ttl, now)) kept.set(k, e);
      return kept;
    }
    default:
      return isExpired((cell as TtlCell<unknown>).t, ttl, now) ? undefined : cell;
  }
}
