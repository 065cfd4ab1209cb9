import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crc32,
  decodeValue,
  encodeEnvelope,
  encodeValue,
  EnvelopeError,
  openEnvelope,
  UnsupportedValueError,
} from '../../src/checkpoint/index.js';
import { ColumnSections } from '../../src/checkpoint/columns.js';

// Plain data as operators export it: JSON plus what JSON loses (±Infinity, NaN, -0, bigint, undefined).
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, true, false, NaN, Infinity, -Infinity, -0, 0, '~', '~u', '~~x', '__proto__', ''),
    fc.double(),
    fc.integer(),
    fc.bigInt(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'toString', '~')), tie('value'), {
      maxKeys: 5,
      noNullPrototype: false,
    }),
  ),
})).value;

describe('value codec', () => {
  it('round-trips plain data, including what JSON loses', () => {
    fc.assert(
      fc.property(plain, (value) => {
        const { json, tagged } = encodeValue(value);
        const back = decodeValue(json, tagged);
        expect(back).toStrictEqual(value);
        expect(encodeValue(back).json).toBe(json);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps -0, NaN, ±Infinity, bigint and undefined in arrays and objects', () => {
    const value = { a: [-0, NaN, Infinity, -Infinity, 10n ** 30n, -5n, undefined, '~b12', '~'], u: undefined };
    const { json, tagged } = encodeValue(value);
    const back = decodeValue(json, tagged) as typeof value;
    expect(Object.is(back.a[0], -0)).toBe(true);
    expect(back).toStrictEqual(value);
    expect('u' in back).toBe(true);
  });

  it('null prototypes are lost (issue 17 item 8): an object with a null prototype decodes with a null prototype, and a real ["~o", {...}] array stays an array', () => {
    const counts = Object.assign(Object.create(null) as Record<string, unknown>, { constructor: 1, the: 2 });
    const value = { counts, nested: [counts, ['~o', { a: 1 }]], top: ['~o', counts] };
    for (const columns of [false, true]) {
      const back = columns
        ? (openEnvelope(encodeEnvelope({}, value, { columns: true })).body() as typeof value)
        : (decodeValue(encodeValue(value).json, encodeValue(value).tagged) as typeof value);
      expect(Object.getPrototypeOf(back.counts)).toBe(null);
      expect(Object.getPrototypeOf(back.nested[0])).toBe(null);
      expect(Object.getPrototypeOf(back.top[1])).toBe(null);
      expect(back).toStrictEqual(value);
    }
    const top = decodeValue(encodeValue(counts).json, encodeValue(counts).tagged);
    expect(Object.getPrototypeOf(top)).toBe(null);
  });

  it('keeps "__proto__" as an ordinary own key', () => {
    const value = JSON.parse('{"__proto__": {"x": Infinity}}'.replace('Infinity', '1')) as Record<string, unknown>;
    // biome-ignore lint/suspicious/noProto: the test is about an own key named "__proto__"
    (value['__proto__'] as Record<string, unknown>).y = -Infinity;
    const { json, tagged } = encodeValue(value);
    const back = decodeValue(json, tagged) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
    // biome-ignore lint/suspicious/noProto: the test is about an own key named "__proto__"
    expect(back['__proto__']).toStrictEqual({ x: 1, y: -Infinity });
  });

  it('writes data without special values as plain JSON', () => {
    expect(
      encodeValue({
        entries: [
          ['a', 1],
          ['b', 2],
        ],
      }),
    ).toEqual({ json: '{"entries":[["a",1],["b",2]]}', tagged: false });
  });

  it.each([
    ['a Map', { table: new Map() }, '.table', 'an instance of Map'],
    ['a Date', [1, [new Date(0)]], '[1][0]', 'an instance of Date'],
    ['a function', { 'odd key': () => 1 }, '["odd key"]', 'a function'],
    ['a symbol', [Symbol('s')], '[0]', 'a symbol'],
    ['a class instance', { x: new (class Counter {})() }, '.x', 'an instance of Counter'],
  ])('refuses %s, naming where it is', (_name, value, path, what) => {
    const error = (() => {
      try {
        encodeValue(value);
      } catch (e) {
        return e;
      }
    })() as UnsupportedValueError;
    expect(error).toBeInstanceOf(UnsupportedValueError);
    expect(error.path).toBe(path);
    expect(error.what).toContain(what);
  });

  it('refuses a cyclic value', () => {
    const a: unknown[] = [1];
    a.push({ back: a });
    expect(() => encodeValue(a)).toThrow(/circular reference at \[1\]\.back/);
  });
});

describe('CRC-32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('equals a bitwise reference on random inputs, and continues across chunks', () => {
    const reference = (bytes: Uint8Array): number => {
      let c = ~0;
      for (const b of bytes) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
      }
      return ~c >>> 0;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), (bytes, cut) => {
        const at = bytes.length === 0 ? 0 : cut % bytes.length;
        expect(crc32(bytes)).toBe(reference(bytes));
        expect(crc32(bytes, at, bytes.length, crc32(bytes, 0, at))).toBe(reference(bytes));
      }),
    );
  });
});

describe('envelope', () => {
  const bytes = encodeEnvelope({ type: 'snapshot', checkpointId: 7 }, { state: [1, Infinity] });

  it('opens what it encoded', () => {
    const opened = openEnvelope(bytes);
    expect(opened.header).toMatchObject({ type: 'snapshot', checkpointId: 7, tagged: true });
    expect(opened.body()).toStrictEqual({ state: [1, Infinity] });
  });

  it('detects every single flipped bit', () => {
    for (let i = 0; i < bytes.length * 8; i++) {
      const damaged = bytes.slice();
      damaged[i >> 3]! ^= 1 << (i & 7);
      let problem: unknown;
      try {
        openEnvelope(damaged).body();
      } catch (e) {
        problem = e;
      }
      expect(problem, `bit ${i}`).toBeInstanceOf(EnvelopeError);
    }
  });

  it('detects truncation at any length', () => {
    for (let n = 0; n < bytes.length; n++) {
      expect(() => openEnvelope(bytes.subarray(0, n)), `length ${n}`).toThrow(EnvelopeError);
    }
  });

  it('refuses a newer format version as incompatible, not corrupt', () => {
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(4, 2, true);
    const error = (() => {
      try {
        openEnvelope(newer);
      } catch (e) {
        return e;
      }
    })() as EnvelopeError;
    expect(error.problem).toEqual({ kind: 'incompatible', version: 2 });
  });
});

describe('columns in envelopes', () => {
  const columnish = fc.oneof(
    fc.array(fc.double(), { minLength: 14, maxLength: 40 }),
    fc.array(fc.string({ unit: 'binary' }), { minLength: 14, maxLength: 40 }), // lone surrogates: stay JSON
    fc.array(fc.string({ unit: 'grapheme' }), { minLength: 14, maxLength: 40 }),
    fc.array(fc.oneof(fc.string(), fc.integer()), { minLength: 14, maxLength: 40 }),
    fc.array(fc.constantFrom('~', '~u', '~cf0:1', ''), { minLength: 16, maxLength: 20 }),
  );

  it('round-trips big arrays of numbers and strings, and everything else, through the binary part', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(columnish, plain), { maxLength: 4 }), (value) => {
        const bytes = encodeEnvelope({ type: 'test' }, value, { columns: true });
        const back = openEnvelope(bytes).body();
        expect(back).toStrictEqual(value);
      }),
      { numRuns: 300 },
    );
  });

  it('stores a million-key table as columns, not JSON', () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const values = Array.from({ length: 1000 }, (_, i) => (i === 5 ? -0 : i * 1.5));
    const bytes = encodeEnvelope({ type: 'test' }, { keys, values }, { columns: true });
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('"keys":"~cs');
    expect(text).toContain('"values":"~cf');
    const back = openEnvelope(bytes).body() as { keys: string[]; values: number[] };
    expect(back).toStrictEqual({ keys, values });
    expect(Object.is(back.values[5], -0)).toBe(true);
  });

  it('joins strings with a separator none of them holds, or keeps them as JSON when all are taken', () => {
    const withNul = Array.from({ length: 20 }, (_, i) => `a\u0000${i}`);
    const bytes = encodeEnvelope({}, withNul, { columns: true });
    expect(new TextDecoder().decode(bytes)).toMatch(/"~cs\d+:20:\d+:1"/); // \u0001, since \u0000 is taken
    expect(openEnvelope(bytes).body()).toStrictEqual(withNul);
    const everything = [...Array.from({ length: 16 }, (_, i) => `k${i}`), '\u0000\u0001\u001f\uffff\ufffe'];
    const json = encodeEnvelope({}, everything, { columns: true });
    expect(new TextDecoder().decode(json)).not.toContain('~cs');
    expect(openEnvelope(json).body()).toStrictEqual(everything);
  });

  it('stores big arrays of rows as JSON sections of their own, which a pruned part never parses', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [i, { n: i, t: i === 3 ? -0 : '~x' }]);
    const sections = new ColumnSections();
    const { json } = encodeValue({ a: rows, b: rows }, sections);
    expect(json).toMatch(/^\{"a":"~cj\d+:100:\d+","b":"~cj\d+:100:\d+"\}$/);
    const binary = new Uint8Array(sections.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of sections.parts) {
      binary.set(part, at);
      at += part.length;
    }
    const back = decodeValue(json, true, binary) as { a: unknown[] };
    expect(back).toStrictEqual({ a: rows, b: rows });
    expect(Object.is((back.a[3] as [number, { t: number }])[1].t, -0)).toBe(true);
    // b's section damaged: a decode that prunes b first never reads it.
    const [, bAt, , bBytes] = /"b":"~cj(\d+):(\d+):(\d+)"/.exec(json)!.map(Number) as number[];
    binary.fill(0x7b, bAt!, bAt! + bBytes!);
    expect(() => decodeValue(json, true, binary)).toThrow(SyntaxError);
    const pruned = decodeValue(json, true, binary, (parsed) => delete (parsed as { b?: unknown }).b);
    expect(pruned).toStrictEqual({ a: rows });
  });

  it('refuses a column tag that points outside the binary part', () => {
    expect(() => decodeValue('"~cf8:100"', true, new Uint8Array(16))).toThrow(RangeError);
    expect(() => decodeValue('"~cf0:1"', true)).toThrow(SyntaxError);
  });
});
