/**
 * KV key tokens. NATS KV keys allow `[-/_=.a-zA-Z0-9]` and use `.` as a separator, while task and
 * pipeline ids are any string: other characters are written as `=XX` per UTF-8 byte.
 */

const SAFE = /^[A-Za-z0-9_-]$/;

/**
 * One KV key segment for any string, reversible and without `.`.
 *
 * @example
 * // internal: keyToken('orders/eu.1'); // 'orders=2Feu=2E1'
 */
export function keyToken(value: string): string {
  let out = '';
  for (const char of value) {
    if (SAFE.test(char)) out += char;
    else
      for (const byte of new TextEncoder().encode(char)) out += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length === 0 ? '=' : out;
}

/**
 * The string a `keyToken` was made of.
 *
 * @example
 * // internal: fromKeyToken('orders=2Feu=2E1'); // 'orders/eu.1'
 */
export function fromKeyToken(token: string): string {
  if (token === '=') return '';
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '=') {
      bytes.push(Number.parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(token.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
