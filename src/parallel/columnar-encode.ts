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
import { type ColumnPlan, planColumn, type Scratch } from './columnar-plan.js';
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
 * // internal: const payload = encodeColumnar(records, pool, dictionary, scratch); // then post it, transferring payload.buffer
 * ```
 */
export function encodeColumnar(
  records: Records,
  pool: BufferPool,
  dictionary: Dictionary,
  scratch: Scratch,
): ColumnarPayload | undefined {
  const count = records.length;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    const g = r.keyGroup;
    // -0 is an integer too, but would come back as 0.
    if (typeof r.timestamp !== 'number' || !Number.isInteger(g) || g < -1 || g > MAX_KEY_GROUP || Object.is(g, -0))
      return undefined;
  }
  try {
    const keyPlan = planColumn(records, true, scratch);
    if (keyPlan === undefined) return undefined;
    const valuePlan = planColumn(records, false, scratch);
    if (valuePlan === undefined) return undefined;
    return write(records, keyPlan, valuePlan, pool, dictionary);
  } finally {
    scratch.clear();
  }
}

function write(
  records: Records,
  keyPlan: ColumnPlan,
  valuePlan: ColumnPlan,
  pool: BufferPool,
  dictionary: Dictionary,
): ColumnarPayload {
  const count = records.length;

  const layout = new Layout();
  const timestampsAt = layout.reserve(count, 8);
  const keyGroupsAt = layout.reserve(count, 2);
  const value = layOut(valuePlan, layout, count);
  const keyField = fieldEqualToKey(keyPlan, valuePlan, count);
  const key: ColumnLayout =
    keyField < 0 ? layOut(keyPlan, layout, count) : { shape: 'scalar', cell: (value as ObjectLayout).cells[keyField]! };
  // At most one new dictionary entry per string cell.
  const dictionaryAt = layout.reserve(count * ((keyField < 0 ? stringCells(key) : 0) + stringCells(value)), 4);
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
  if (keyField < 0) writeColumn(keyPlan, key, count, views, dictionary);
  writeColumn(valuePlan, value, count, views, dictionary);
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
 * string to clone instead of many) and their lengths in the batch buffer.
 *
 * Reused from batch to batch, and faster for it: a string keeps its slot in `#slots` across batches
 * (streams repeat their words), and a batch only stamps the slot with its number, so most lookups
 * are one `Map.get` and no `Map.set`. The slots are dropped when there are `MAX_SLOTS` of them.
 */
export class Dictionary {
  readonly #slots = new Map<string, number>();
  /** Per slot: the batch that last used it, and the string's index in that batch. */
  #stamps = new Uint32Array(1024);
  #ids = new Uint32Array(1024);
  #batch = 0;
  #text = '';
  #size = 0;
  #lengths: Uint32Array = new Uint32Array(0);
  #base = 0;

  start(lengths: Uint32Array, base: number): void {
    if (this.#slots.size > MAX_SLOTS || this.#batch === 0xffffffff) {
      this.#slots.clear();
      this.#stamps.fill(0);
      this.#batch = 0;
    }
    this.#batch++;
    this.#text = '';
    this.#size = 0;
    this.#lengths = lengths;
    this.#base = base;
  }

  /** The index of `s` in this batch's dictionary. */
  id(s: string): number {
    let slot = this.#slots.get(s);
    if (slot === undefined) {
      slot = this.#slots.size;
      this.#slots.set(s, slot);
      if (slot === this.#stamps.length) this.#grow();
    } else if (this.#stamps[slot] === this.#batch) return this.#ids[slot]!;
    const id = this.#size++;
    this.#text += s;
    this.#lengths[this.#base + id] = s.length;
    this.#stamps[slot] = this.#batch;
    this.#ids[slot] = id;
    return id;
  }

  finish(): { text: string; size: number } {
    const out = { text: this.#text, size: this.#size };
    this.#text = '';
    return out;
  }

  #grow(): void {
    const stamps = new Uint32Array(this.#stamps.length * 2);
    stamps.set(this.#stamps);
    this.#stamps = stamps;
    const ids = new Uint32Array(this.#ids.length * 2);
    ids.set(this.#ids);
    this.#ids = ids;
  }
}

/** Distinct strings remembered across batches before the dictionary starts afresh. */
const MAX_SLOTS = 1 << 16;

type ObjectLayout = Extract<ColumnLayout, { shape: 'object' }>;

/**
 * The field of the values that holds the key in every record, when the key is a string
 * (`keyBy((e) => e.word)`, the common case), or -1. The key then points at that field's cell: it
 * costs no byte and no dictionary lookup. Strings only: `===` would take 0 for -0.
 */
function fieldEqualToKey(keyPlan: ColumnPlan, valuePlan: ColumnPlan, count: number): number {
  if (keyPlan.shape !== 'scalar' || keyPlan.masks[0] !== STR || valuePlan.shape !== 'object') return -1;
  const keys = keyPlan.columns[0]!;
  search: for (let f = 0; f < valuePlan.masks.length; f++) {
    if (valuePlan.masks[f] !== STR) continue;
    const field = valuePlan.columns[f]!;
    for (let i = 0; i < count; i++) if (field[i] !== keys[i]) continue search;
    return f;
  }
  return -1;
}

function layOut(plan: ColumnPlan, layout: Layout, count: number): ColumnLayout {
  const cells = plan.masks.map((mask) => layout.cell(mask, count));
  if (plan.shape === 'scalar') return { shape: 'scalar', cell: cells[0]! };
  return plan.shape === 'tuple' ? { shape: 'tuple', cells } : { shape: 'object', fields: plan.fields, cells };
}

function stringCells(column: ColumnLayout): number {
  const cells = column.shape === 'scalar' ? [column.cell] : column.cells;
  let n = 0;
  for (const c of cells) if (c.mask & STR) n++;
  return n;
}

function writeColumn(plan: ColumnPlan, column: ColumnLayout, n: number, views: Views, dict: Dictionary): void {
  const cells = column.shape === 'scalar' ? [column.cell] : column.cells;
  cells.forEach((cell, c) => {
    writeCell(plan.columns[c]!, n, cell, views, dict);
  });
}

/** Writes one column of `n` scalars as `cell` says. One loop per storage type. */
function writeCell(values: readonly unknown[], n: number, cell: Cell, views: Views, dict: Dictionary): void {
  const { mask } = cell;
  if (!isPure(mask)) {
    const at = cell.at / 8;
    const { f64, u8 } = views;
    for (let i = 0; i < n; i++) {
      const v = values[i];
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
    for (let i = 0; i < n; i++) f64[at + i] = values[i] as number;
  } else if (mask === STR) {
    const { u32 } = views;
    const at = cell.at / 4;
    for (let i = 0; i < n; i++) u32[at + i] = dict.id(values[i] as string);
  } else if (mask === BOOL) {
    const { u8 } = views;
    for (let i = 0; i < n; i++) u8[cell.at + i] = values[i] ? 1 : 0;
  }
  // A column of null only or of undefined only has no bytes.
}
