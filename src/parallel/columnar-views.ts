import { BOOL, type Cell, isPure, NULL, NUM, STR, UNDEF } from './columnar-payload.js';

/** Typed views over the whole buffer of a batch: a column at byte offset `at` starts at `at / width`. */
export interface Views {
  readonly f64: Float64Array;
  readonly u32: Uint32Array;
  readonly u16: Uint16Array;
  readonly u8: Uint8Array;
}

/** Views over a batch buffer, whose length is a multiple of 8 (the pool's sizes are). */
export function viewsOf(buffer: ArrayBuffer): Views {
  return {
    f64: new Float64Array(buffer),
    u32: new Uint32Array(buffer),
    u16: new Uint16Array(buffer),
    u8: new Uint8Array(buffer),
  };
}

/** Byte offsets of the columns of a batch, each aligned to 8 so that any typed view fits it. */
export class Layout {
  bytes = 0;

  /** Room for `count` items of `width` bytes; returns its byte offset. */
  reserve(count: number, width: number): number {
    const at = (this.bytes + 7) & ~7;
    this.bytes = at + count * width;
    return at;
  }

  /**
   * Room for a column of `count` scalars whose types are `mask` (see `Cell`): numbers as Float64,
   * strings as Uint32 dictionary indexes, booleans as bytes, a lone null or undefined as nothing, and
   * a mix as type tags plus Float64.
   */
  cell(mask: number, count: number): Cell {
    if (!isPure(mask)) return { mask, at: this.reserve(count, 8), tagsAt: this.reserve(count, 1) };
    if (mask === NUM) return { mask, at: this.reserve(count, 8), tagsAt: 0 };
    if (mask === STR) return { mask, at: this.reserve(count, 4), tagsAt: 0 };
    if (mask === BOOL) return { mask, at: this.reserve(count, 1), tagsAt: 0 };
    if (mask === NULL || mask === UNDEF) return { mask, at: 0, tagsAt: 0 };
    throw new Error(`unknown cell mask ${mask}`);
  }
}
