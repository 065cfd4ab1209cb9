/**
 * Tagging, the encoding half of the snapshot codec (codec.ts): a copy of plain data where every
 * value JSON cannot hold is a tagged string, big arrays are binary columns (columns.ts), and, for
 * error messages, where the first value that is not plain data lies.
 */

import { defineOwn, isPlainObject } from '../core/plain-data.js';
import { COLUMN_MIN, writeColumn, writeJsonColumn, type ColumnSections } from './columns.js';

/** The first character of every tag. */
export const TILDE = 126;

/** Thrown while tagging on a value that is not plain data; `encodeValue` then locates it. */
export class Unsupported extends Error {}

/** True when some value needs a tag; throws `Unsupported` on a value that is not plain data. */
export function needsTags(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return v.length > 0 && v.charCodeAt(0) === TILDE;
    case 'number':
      return Number.isNaN(v) || v === Infinity || v === -Infinity || (v === 0 && 1 / v < 0);
    case 'boolean':
      return false;
    case 'undefined':
    case 'bigint':
      return true;
    case 'object': {
      if (v === null) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (needsTags(v[i])) return true;
        return false;
      }
      if (!isPlainObject(v)) throw new Unsupported();
      if (Object.getPrototypeOf(v) === null) return true;
      for (const k in v) {
        if (Object.hasOwn(v, k) && needsTags((v as Record<string, unknown>)[k])) return true;
      }
      return false;
    }
    default:
      throw new Unsupported();
  }
}

/** The first item of the pair that stores an object with a null prototype. */
export const NULL_PROTOTYPE = '~o';

/** A copy of `v` where every value JSON cannot hold is a tagged string, and big arrays are columns. */
export function tag(v: unknown, columns: ColumnSections | undefined): unknown {
  switch (typeof v) {
    case 'string':
      return v.length > 0 && v.charCodeAt(0) === TILDE ? `~${v}` : v;
    case 'number':
      if (Number.isNaN(v)) return '~N';
      if (v === Infinity) return '~I';
      if (v === -Infinity) return '~-I';
      if (v === 0 && 1 / v < 0) return '~-0';
      return v;
    case 'boolean':
      return v;
    case 'undefined':
      return '~u';
    case 'bigint':
      return `~b${v.toString()}`;
    case 'object': {
      if (v === null) return null;
      if (Array.isArray(v)) {
        const big = columns !== undefined && v.length >= COLUMN_MIN;
        if (big) {
          const column = writeColumn(v, columns);
          if (column !== undefined) return column;
          // Rows that need no tag (the usual case) are written as they are: no tagged copy of each.
          if (!needsTags(v)) return writeJsonColumn(v, columns);
        }
        const out: unknown[] = [];
        for (let i = 0; i < v.length; i++) out.push(tag(v[i], columns));
        return big ? writeJsonColumn(out, columns!) : out;
      }
      if (!isPlainObject(v)) throw new Unsupported();
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v)) defineOwn(out, k, tag((v as Record<string, unknown>)[k], columns));
      return Object.getPrototypeOf(v) === null ? [NULL_PROTOTYPE, out] : out;
    }
    default:
      throw new Unsupported();
  }
}

/** Slow path for error messages: the path and kind of the first value that is not plain data. */
export function locate(v: unknown, path: string, seen: Set<object>): { path: string; reason: string } | undefined {
  switch (typeof v) {
    case 'function':
      return { path, reason: `a function (${v.name || 'anonymous'})` };
    case 'symbol':
      return { path, reason: `a symbol (${v.toString()})` };
    case 'object': {
      if (v === null) return undefined;
      if (seen.has(v)) return { path, reason: 'a cyclic reference' };
      if (!Array.isArray(v) && !isPlainObject(v)) {
        const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
        return {
          path,
          reason: `an instance of ${typeof name === 'string' && name ? name : 'a class'} (convert it to arrays or plain objects)`,
        };
      }
      seen.add(v);
      const keys = Array.isArray(v) ? v.map((_x, i) => i) : Object.keys(v);
      for (const k of keys) {
        const child = (v as Record<string | number, unknown>)[k];
        const found = locate(
          child,
          typeof k === 'number'
            ? `${path}[${k}]`
            : `${path}${/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`}`,
          seen,
        );
        if (found !== undefined) return found;
      }
      seen.delete(v);
      return undefined;
    }
    default:
      return undefined;
  }
}
