import type { StreamRecord } from '../core/elements.js';
import { defineOwn } from '../core/plain-data.js';
import {
  BOOL,
  type Cell,
  type ColumnarPayload,
  type ColumnLayout,
  isPure,
  NULL,
  NUM,
  STR,
} from './columnar-payload.js';
import { type Views, viewsOf } from './columnar-views.js';

/**
 * Rebuilds the records of a columnar payload, in order. The records hold plain values only: nothing
 * refers to the buffer afterwards, so the receiver can hand it back at once (`release`).
 *
 * Example (an internal helper):
 * ```ts
 * // internal: const records = decodeColumnar(payload); port.postMessage({ credits, buffers: [payload.buffer] }, [payload.buffer]);
 * ```
 */
export function decodeColumnar(payload: ColumnarPayload): StreamRecord<unknown, unknown>[] {
  const { count } = payload;
  const views = viewsOf(payload.buffer);
  const strings = readDictionary(payload, views.u32);
  const keys = readColumn(payload.key, count, views, strings);
  const values = readColumn(payload.value, count, views, strings);
  const { f64, u16 } = views;
  const t = payload.timestampsAt / 8;
  const g = payload.keyGroupsAt / 2;
  const out = new Array<StreamRecord<unknown, unknown>>(count);
  for (let i = 0; i < count; i++) {
    // The property order of keyedRecord (src/core/elements.ts), so decoded records share its hidden class.
    out[i] = { kind: 'record', value: values[i], timestamp: f64[t + i]!, key: keys[i], keyGroup: u16[g + i]! - 1 };
  }
  return out;
}

function readDictionary(payload: ColumnarPayload, u32: Uint32Array): string[] {
  const { dictionary, dictionarySize } = payload;
  const strings = new Array<string>(dictionarySize);
  const base = payload.dictionaryAt / 4;
  let pos = 0;
  for (let k = 0; k < dictionarySize; k++) {
    const end = pos + u32[base + k]!;
    strings[k] = dictionary.slice(pos, end);
    pos = end;
  }
  return strings;
}

function readColumn(column: ColumnLayout, count: number, views: Views, strings: readonly string[]): unknown[] {
  if (column.shape === 'scalar') return readCell(column.cell, count, views, strings);
  const parts = column.cells.map((cell) => readCell(cell, count, views, strings));
  const out = new Array<unknown>(count);
  if (column.shape === 'tuple') {
    for (let i = 0; i < count; i++) {
      const tuple = new Array<unknown>(parts.length);
      for (let p = 0; p < parts.length; p++) tuple[p] = parts[p]![i];
      out[i] = tuple;
    }
    return out;
  }
  // Every object is a copy of one template with the batch's fields: one hidden class, made by the
  // spread's fast path, and the stores below write fields that exist (no map transition per field).
  // defineOwn keeps a "__proto__" field an own property; the spread and the stores then keep it one.
  const template: Record<string, unknown> = {};
  for (const name of column.fields) defineOwn(template, name, undefined);
  for (let i = 0; i < count; i++) out[i] = { ...template };
  column.fields.forEach((name, f) => {
    const values = parts[f]!;
    for (let i = 0; i < count; i++) (out[i] as Record<string, unknown>)[name] = values[i];
  });
  return out;
}

function readCell(cell: Cell, count: number, views: Views, strings: readonly string[]): unknown[] {
  const { mask } = cell;
  const out = new Array<unknown>(count);
  if (!isPure(mask)) {
    const { f64, u8 } = views;
    const at = cell.at / 8;
    for (let i = 0; i < count; i++) {
      const tag = u8[cell.tagsAt + i]!;
      const x = f64[at + i]!;
      out[i] = tag === NUM ? x : tag === STR ? strings[x] : tag === BOOL ? x === 1 : tag === NULL ? null : undefined;
    }
  } else if (mask === NUM) {
    const { f64 } = views;
    const at = cell.at / 8;
    for (let i = 0; i < count; i++) out[i] = f64[at + i];
  } else if (mask === STR) {
    const { u32 } = views;
    const at = cell.at / 4;
    for (let i = 0; i < count; i++) out[i] = strings[u32[at + i]!];
  } else if (mask === BOOL) {
    const { u8 } = views;
    for (let i = 0; i < count; i++) out[i] = u8[cell.at + i] === 1;
  } else {
    out.fill(mask === NULL ? null : undefined);
  }
  return out;
}
