/**
 * UTF-8 text to bytes and back, for the snapshot encoding (columns.ts, envelope.ts).
 */

// TextEncoder/TextDecoder are globals in every supported platform (Node >= 11, all browsers), but
// not in the ES2022 lib the core compiles against: declared here, module-local, emitting nothing.
declare const TextEncoder: new () => {
  encode(input: string): Uint8Array;
  encodeInto(input: string, into: Uint8Array): { read: number; written: number };
};
declare const TextDecoder: new (label?: string) => { decode(input: Uint8Array): string };

/**
 * UTF-8 bytes of a long string. encodeInto into a buffer of one byte per character (enough for
 * ASCII, the usual keys) and, only if that is too small, three: in Chromium this is four times
 * faster than encode() on a 10 MB string.
 */
export function utf8(text: string): Uint8Array {
  const encoder = new TextEncoder();
  let out = new Uint8Array(text.length);
  let result = encoder.encodeInto(text, out);
  if (result.read < text.length) {
    out = new Uint8Array(text.length * 3);
    result = encoder.encodeInto(text, out);
  }
  return out.subarray(0, result.written);
}

/** The text of UTF-8 bytes (TextDecoder.decode). */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
