import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import {
  END_OF_STREAM,
  filterValues,
  flatMapValues,
  keyBy,
  mapValues,
  record,
  toRecords,
  toValues,
  watermark,
  type StreamElement,
} from '../../src/index.js';
import { IDLE, keyGroupOf, keyedRecord } from '../../src/engine/index.js';
import { batched, unbatched } from '../../src/testing/index.js';

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('stateless operators', () => {
  it('mapValues transforms values and keeps timestamps; watermarks stay in place', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<number>>('a-w-b-|', { a: record(1, 10), w: watermark(10), b: record(2, 20) });
      expectObservable(
        input.pipe(
          batched(),
          mapValues((v: number, ctx) => `${v}@${ctx.timestamp}`),
          unbatched(),
        ),
      ).toBe('a-w-b-(e|)', { a: record('1@10', 10), w: watermark(10), b: record('2@20', 20), e: END_OF_STREAM });
    });
  });

  it('filterValues drops records only, never watermarks or status', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<number>>('a-w-i-b|', {
        a: record(1, 1),
        w: watermark(1),
        i: IDLE,
        b: record(2, 2),
      });
      expectObservable(
        input.pipe(
          batched(),
          filterValues((v: number) => v % 2 === 0),
          unbatched(),
        ),
      ).toBe('--w-i-b(e|)', { w: watermark(1), i: IDLE, b: record(2, 2), e: END_OF_STREAM });
    });
  });

  it('flatMapValues emits all produced records before the next watermark', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<string>>('(aw)-|', { a: record('x y', 5), w: watermark(5) });
      expectObservable(
        input.pipe(
          batched(),
          flatMapValues((line: string) => line.split(' ')),
          unbatched(),
        ),
      ).toBe('(xyw)(e|)', { x: record('x', 5), y: record('y', 5), w: watermark(5), e: END_OF_STREAM });
    });
  });

  it('mapValues keeps the key on a keyed stream and the context shows it', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<string>>('a|', { a: record('k', 3) });
      const out = input.pipe(
        batched(),
        keyBy((v: string) => v),
        mapValues((v: string, ctx) => `${ctx.key}:${v}`),
        unbatched(),
      );
      expectObservable(out).toBe('a(e|)', { a: keyedRecord('k:k', 3, 'k', keyGroupOf('k')), e: END_OF_STREAM });
    });
  });

  it('toValues emits record values only and completes after the end of stream', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<number>>('a-w-b|', { a: record(1, 1), w: watermark(1), b: record(2, 2) });
      expectObservable(input.pipe(batched(), toValues())).toBe('a---b|', { a: 1, b: 2 });
      expectObservable(input.pipe(batched(), toRecords())).toBe('a---b|', { a: record(1, 1), b: record(2, 2) });
    });
  });

  it('an error in a user function ends the stream with that error', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const boom = new Error('boom');
      const input = cold<StreamElement<number>>('a-b-c|', { a: record(1, 1), b: record(2, 2), c: record(3, 3) });
      const out = input.pipe(
        batched(),
        mapValues((v: number) => {
          if (v === 2) throw boom;
          return v;
        }),
        unbatched(),
      );
      expectObservable(out).toBe('a-#', { a: record(1, 1) }, boom);
    });
  });
});
