/**
 * What leaves a page on exit, cut into request bodies that each stay under the keepalive limit: the
 * browser refuses a `sendBeacon` or `fetch(..., { keepalive: true })` whose body, together with the
 * other keepalive requests in flight, exceeds 64 KiB (Fetch standard, "keepalive" inflight quota).
 */

/** One request body: JSON `{ early, items }`, where `early` marks open windows fired before their end. */
export interface ExitBody {
  readonly json: string;
  /** Its size in UTF-8 bytes. */
  readonly bytes: number;
  /** How many items it carries. */
  readonly items: number;
}

/** UTF-8 length of a string, counted without encoding it (a lone surrogate becomes U+FFFD: 3 bytes). */
function byteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Packs `items` into as few bodies as fit in `maxBodyBytes` each, in order. An item too large for a
 * body of its own still gets one (it can only leave through the outbox, with a plain `fetch`).
 *
 * @example
 * exitBodies([{ k: 'a', n: 1 }, { k: 'b', n: 2 }], false, 60 * 1024); // one body: {"early":false,"items":[...]}
 */
export function exitBodies(items: readonly unknown[], early: boolean, maxBodyBytes: number): ExitBody[] {
  const head = `{"early":${early},"items":[`;
  const overhead = byteLength(head) + 2; // `]}`
  const bodies: ExitBody[] = [];
  let parts: string[] = [];
  let size = overhead;
  const flush = (): void => {
    if (parts.length === 0) return;
    bodies.push({ json: `${head}${parts.join(',')}]}`, bytes: size, items: parts.length });
    parts = [];
    size = overhead;
  };
  for (const item of items) {
    const json = JSON.stringify(item) ?? 'null';
    const bytes = byteLength(json) + (parts.length === 0 ? 0 : 1);
    if (parts.length > 0 && size + bytes > maxBodyBytes) flush();
    size += parts.length === 0 ? byteLength(json) : bytes;
    parts.push(json);
  }
  flush();
  return bodies;
}
