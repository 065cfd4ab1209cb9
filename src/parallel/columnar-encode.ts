import type { StreamRecord } from '../core/elements.js';
import type { BufferPool } from './buffer-pool.js';
import {
  type Cell,
  type ColumnarPayload,
  type ColumnLayout,
  isPure,
  NULL,
  NUM,
  STR,
  BOOL,
  UNDEF,
} from './columnar-payload.js';
import { type ColumnPlan, pick, planColumn } from './columnar-plan.js';
import { Layout, type Views, viewsOf } from './columnar-views.js';

type Records = readonly StreamRecord<unknown, unknown>[];

/** Key groups travel plus one in a Uint16Array: -1 (not keyed) up to 65534 fit. */
const MAX_KEY_GROUP = 0xfffe;

/**
 * Encodes a non-empty batch as columns in a buffer from `pool`, or gives `undefined` when some
 * record does not fit columns exactly (the caller then sends the batch by structured clone).
 *
 * Example (an internal helper):
 * ```ts
 * // internal: const payload = encodeColumnar(records, pool, dictionary); // then post it, transferring payload.buffer
 * ```
 */
export function encodeColumnar(
  records: Records,
  pool: BufferPool,
  dictionary: Dictionary,
): ColumnarPayload | undefined {
  const count = records.length;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const g = r.keyGroup;
    if (typeof r.timestamp !== 'number' || !Number.isInteger(g) || g < -1 || g > MAX_KEY_GROUP) return undefined;
  }
  const keyPlan = planColumn(records, true);
  if (keyPlan === undefined) return undefined;
  const valuePlan = planColumn(records, false);
  if (valuePlan === undefined) return undefined;

  const layout = new Layout();
  const timestampsAt = layout.reserve(count, 8);
  const keyGroupsAt = layout.reserve(count, 2);
  const key = layOut(keyPlan, layout, count);
  const value = layOut(valuePlan, layout, count);
  // At most one new dictionary entry per string cell.
  const dictionaryAt = layout.reserve(count * (stringCells(key) + stringCells(value)), 4);
  const buffer = pool.take(layout.bytes);
  const views = viewsOf(buffer);

  const { f64, u16 } = views;
  const t = timestampsAt / 8;
  const g = keyGroupsAt / 2;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    f64[t + i] = r.timestamp;
    u16[g + i] = r.keyGroup + 1;
  }
  dictionary.start(views.u32, dictionaryAt / 4);
  writeColumn(records, true, key, views, dictionary);
  writeColumn(records, false, value, views, dictionary);
  const { text, size } = dictionary.finish();
  return {
    count,
    buffer,
    timestampsAt,
    keyGroupsAt,
    key,
    value,
    dictionary: text,
    dictionarySize: size,
    dictionaryAt,
  };
}

/**
 * The distinct strings of one batch, in first-seen order: their text joined in one string (one
 * string to clone instead of many) and their lengths in the batch buffer. Reused from batch to batch.
 */
export class Dictionary {
  readonly #ids = new Map<string, number>();
  #text = '';
  #lengths: Uint32Array = new Uint32Array(0);
  #base = 0;

  start(lengths: Uint32Array, base: number): void {
    this.#ids.clear();
    this.#text = '';
    this.#lengths = lengths;
    this.#base = base;
  }

  /** The index of `s` in this batch's dictionary. */
  id(s: string): number {
    let id = this.#ids.get(s);
    if (id === undefined) {
      id = this.#ids.size;
      this.#ids.set(s, id);
      this.#text += s;
      this.#lengths[this.#base + id] = s.length;
    }
    return id;
  }

  finish(): { text: string; size: number } {
    const out = { text: this.#text, size: this.#ids.size };
    this.#ids.clear();
    this.#text = '';
    return out;
  }
}

function layOut(plan: ColumnPlan, layout: Layout, count: number): ColumnLayout {
  if (plan.shape === 'scalar') return { shape: 'scalar', cell: layout.cell(plan.mask, count) };
  const cells = plan.masks.map((mask) => layout.cell(mask, count));
  return plan.shape === 'tuple' ? { shape: 'tuple', cells } : { shape: 'object', fields: plan.fields, cells };
}

function stringCells(column: ColumnLayout): number {
  const cells = column.shape === 'scalar' ? [column.cell] : column.cells;
  let n = 0;
  for (const c of cells) if (c.mask & STR) n++;
  return n;
}

function writeColumn(records: Records, ofKey: boolean, column: ColumnLayout, views: Views, dict: Dictionary): void {
  if (column.shape === 'scalar') {
    writeCell(records, ofKey, undefined, column.cell, views, dict);
    return;
  }
  column.cells.forEach((cell, p) => {
    writeCell(records, ofKey, column.shape === 'tuple' ? p : column.fields[p], cell, views, dict);
  });
}

/**
 * Writes one cell column: the key or value itself (`part` undefined), or its position or field
 * `part`. One loop per storage type, each reading one property name.
 */
function writeCell(
  records: Records,
  ofKey: boolean,
  part: string | number | undefined,
  cell: Cell,
  views: Views,
  dict: Dictionary,
): void {
  const { mask } = cell;
  const read =
    part === undefined
      ? (i: number) => pick(records, i, ofKey)
      : (i: number) => (pick(records, i, ofKey) as Record<string | number, unknown>)[part];
  const n = records.length;
  if (!isPure(mask)) {
    const at = cell.at / 8;
    const { f64, u8 } = views;
    for (let i = 0; i < n; i++) {
      const v = read(i);
      if (typeof v === 'number') {
        u8[cell.tagsAt + i] = NUM;
        f64[at + i] = v;
      } else if (typeof v === 'string') {
        u8[cell.tagsAt + i] = STR;
        f64[at + i] = dict.id(v);
      } else if (typeof v === 'boolean') {
        u8[cell.tagsAt + i] = BOOL;
        f64[at + i] = v ? 1 : 0;
      } else {
        u8[cell.tagsAt + i] = v === null ? NULL : UNDEF;
        f64[at + i] = 0;
      }
    }
  } else if (mask === NUM) {
    const { f64 } = views;
    const at = cell.at / 8;
    for (let i = 0; i < n; i++) f64[at + i] = read(i) as number;
  } else if (mask === STR) {
    const { u32 } = views;
    const at = cell.at / 4;
    for (let i = 0; i < n; i++) u32[at + i] = dict.id(read(i) as string);
  } else if (mask === BOOL) {
    const { u8 } = views;
    for (let i = 0; i < n; i++) u8[cell.at + i] = read(i) ? 1 : 0;
  }
  // A column of null only or of undefined only has no bytes.
}
