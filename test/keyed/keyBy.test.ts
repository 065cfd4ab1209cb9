import { describe, expect, it } from 'vitest';
import { of } from 'rxjs';
import { toArray } from 'rxjs/operators';
import { firstValueFrom } from 'rxjs';
import { InvalidKeyError, InvalidOptionError, keyBy, record, toRecords, watermark, type Key } from '../../src/index.js';
import { KeyByOperator, keyGroupOf, keyId } from '../../src/engine/index.js';
import { keyFromId } from '../../src/state/index.js';
import { runOperator } from '../../src/testing/index.js';

describe('keyBy', () => {
  it('attaches key and key group, passes watermarks through in place', () => {
    const out = runOperator(() => new KeyByOperator((w: string) => w), [record('a', 1), watermark(5), record('b', 7)], {
      end: false,
    });
    expect(out).toEqual([
      { kind: 'record', value: 'a', timestamp: 1, key: 'a', keyGroup: keyGroupOf('a') },
      watermark(5),
      { kind: 'record', value: 'b', timestamp: 7, key: 'b', keyGroup: keyGroupOf('b') },
    ]);
  });

  // Expected values printed by Java 17 with Flink's MathUtils.murmurHash(key.hashCode()) % 128.
  it.each([
    ['hello', 35],
    ['__proto__', 87],
    ['constructor', 31],
    ['', 94],
    ['the', 66],
    [1, 86],
    [42, 29],
    [-7, 33],
    [123456789012, 123],
    [2.5, 16],
    [true, 77],
  ] as const)("key group of %j equals Flink's (%i)", (key, group) => {
    expect(keyGroupOf(key, 128)).toBe(group);
  });

  it('keeps "1" and 1 apart, and treats __proto__ and constructor as ordinary keys', () => {
    const table = new Map<unknown, number>();
    for (const key of ['1', 1, '__proto__', 'constructor', ['a', 1], ['a', '1'], ['a', 1]] as const) {
      const id = keyId(key);
      table.set(id, (table.get(id) ?? 0) + 1);
    }
    expect(table.get('1')).toBe(1);
    expect(table.get(1)).toBe(1);
    expect(table.get('__proto__')).toBe(1);
    expect(table.get('constructor')).toBe(1);
    expect(table.get(keyId(['a', 1]))).toBe(2);
    expect(table.get(keyId(['a', '1']))).toBe(1);
  });

  it('tuple keys and string keys share one id space (issue 17 item 9): ids of different keys never collide', () => {
    // Strings that look like a tuple's encoding, or start with the characters ids use as tags.
    const keys: Key[] = [
      ['a'],
      '\u0000tuple|string:1:a',
      '\u0000tuple',
      '\u0000',
      '\u0000\u0000',
      '\u0000\u0000tuple|string:1:a',
      [],
      [''],
      ['\u0000tuple|string:1:a'],
      'a',
      '',
      1,
      1n,
      true,
      '1',
      'true',
    ];
    const ids = keys.map((key) => keyId(key));
    expect(new Set(ids).size).toBe(keys.length);
    for (const key of keys) expect(keyFromId(keyId(key))).toEqual(key);
  });

  it.each([
    [null, /cannot be null/],
    [undefined, /returned undefined/],
    [Number.NaN, /NaN/],
    [{ id: 1 }, /objects compare by identity/],
    [[['nested']], /nest/],
  ])('refuses key %j with an InvalidKeyError naming the element', (key, reason) => {
    const op = new KeyByOperator((_: { id: string }) => key as never);
    let error: unknown;
    try {
      op.processRecord(record({ id: 'e-42' }, 1), []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidKeyError);
    expect((error as Error).message).toMatch(reason);
    expect((error as Error).message).toContain('e-42');
  });

  it('validates maxParallelism when the pipeline is built', () => {
    expect(() => keyBy((x: number) => x, { maxParallelism: 0 })).toThrow(InvalidOptionError);
    expect(() => keyBy((x: number) => x, { maxParallelism: 0 })).toThrow(/maxParallelism/);
  });

  it('handles 1,000,000 distinct keys', async () => {
    const n = 1_000_000;
    const batch = Array.from({ length: n }, (_, i) => record(i, i));
    const out = await firstValueFrom(
      of(batch).pipe(
        keyBy((v: number) => `user-${v}`, { maxParallelism: 4096 }),
        toRecords(),
        toArray(),
      ),
    );
    expect(out).toHaveLength(n);
    const groups = new Set(out.map((r) => r.keyGroup));
    expect(groups.size).toBe(4096);
    expect(new Set(out.map((r) => r.key)).size).toBe(n);
    expect(out[999_999]!.key).toBe('user-999999');
  });
});
