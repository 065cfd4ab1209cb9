/**
 * Decoding, the other half of the snapshot codec (codec.ts): tagged strings back to the values JSON
 * cannot hold, column tags back to arrays (columns.ts), and null-prototype pairs back to objects.
 */

import { defineOwn } from '../core/plain-data.js';
import { readColumn } from './columns.js';
import { NULL_PROTOTYPE, TILDE } from './value-tagging.js';

/** The value a tagged string stands for (a string without a tag is itself). */
export function untagString(s: string, binary: Uint8Array | undefined): unknown {
  if (s.length === 0 || s.charCodeAt(0) !== TILDE) return s;
  switch (s) {
    case '~u':
      return undefined;
    case '~N':
      return NaN;
    case '~I':
      return Infinity;
    case '~-I':
      return -Infinity;
    case '~-0':
      return -0;
  }
  const second = s.charCodeAt(1);
  if (second === TILDE) return s.slice(1);
  if (second === 98 /* b */ && /^~b-?\d+$/.test(s)) return BigInt(s.slice(2));
  if (second === 99 /* c */) {
    const column = readColumn(s, binary);
    // A JSON section holds tagged JSON, revived as the body is.
    return s.charCodeAt(2) === 106 /* j */ ? reviveObject(column, binary) : column;
  }
  throw new SyntaxError(`unknown tag ${JSON.stringify(s.slice(0, 20))}`);
}

/**
 * Replaces tagged strings in place (the tree is fresh from JSON.parse, so nobody else sees it), and
 * returns the node, or the null-prototype object that a `["~o", {...}]` pair stands for.
 */
export function reviveObject(node: Record<string, unknown> | unknown[], binary: Uint8Array | undefined): unknown {
  if (Array.isArray(node)) {
    if (node.length === 2 && node[0] === NULL_PROTOTYPE)
      return withNullPrototype(node[1] as Record<string, unknown>, binary);
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === 'string') {
        if (v.length > 0 && v.charCodeAt(0) === TILDE) node[i] = untagString(v, binary);
      } else if (typeof v === 'object' && v !== null) node[i] = reviveObject(v as Record<string, unknown>, binary);
    }
    return node;
  }
  for (const k of Object.keys(node)) {
    const v = node[k];
    // JSON.parse made "__proto__" an own data property, so plain assignment below updates it in place.
    if (typeof v === 'string') {
      if (v.length > 0 && v.charCodeAt(0) === TILDE) node[k] = untagString(v, binary);
    } else if (typeof v === 'object' && v !== null) node[k] = reviveObject(v as Record<string, unknown>, binary);
  }
  return node;
}

function withNullPrototype(node: Record<string, unknown>, binary: Uint8Array | undefined): Record<string, unknown> {
  if (typeof node !== 'object' || node === null || Array.isArray(node))
    throw new SyntaxError('a null-prototype tag without its object');
  reviveObject(node, binary);
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(node)) defineOwn(out, k, node[k]);
  return out;
}
