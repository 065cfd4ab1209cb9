import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, from, of, toArray } from 'rxjs';
import {
  END_OF_STREAM,
  InvalidOptionError,
  NotKeyedError,
  mapValues,
  record,
  toValues,
  watermark,
  type StreamBatch,
  type StreamElement,
} from '../../src/index.js';
import { keyGroupOf, keyedRecord } from '../../src/engine/index.js';
import { keyBy, rollingReduce, RollingReduceOperator } from '../../src/keyed/index.js';
import { batched, OperatorHarness, unbatched } from '../../src/testing/index.js';
import type { PendingCheckpoint } from '../../src/core/checkpointing.js';

const FULL: PendingCheckpoint = {
  checkpointId: 1,
  incremental: false,
  report: () => {},
  hold: () => () => {},
  onComplete: () => {},
};

const newScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const kr = <T>(value: T, ts: number, key: string) => keyedRecord(value, ts, key, keyGroupOf(key));

describe('rollingReduce (Flink KeyedStream.reduce / StreamGroupedReduceOperator)', () => {
  it('emits the running reduction per key with each record timestamp; watermarks in place', () => {
    newScheduler().run(({ cold, expectObservable }) => {
      const input = cold<StreamElement<number, string>>('a-b-w-c-d|', {
        a: kr(1, 1, 'x'),
        b: kr(10, 2, 'y'),
        w: watermark(2),
        c: kr(2, 3, 'x'),
        d: kr(5, 4, 'y'),
      });
      expectObservable(
        input.pipe(
          batched(),
          rollingReduce((a: number, b: number) => a + b),
          unbatched(),
        ),
      ).toBe('a-b-w-c-d(e|)', {
        a: kr(1, 1, 'x'),
        b: kr(10, 2, 'y'),
        w: watermark(2),
        c: kr(3, 3, 'x'),
        d: kr(15, 4, 'y'),
        e: END_OF_STREAM,
      });
    });
  });

  it('word count: keyBy(word) -> mapValues(w => [w, 1]) -> rollingReduce', async () => {
    const words = 'to be or not to be'.split(' ');
    const out = await firstValueFrom(
      of(words.map((w, i) => record(w, i))).pipe(
        keyBy((w: string) => w),
        mapValues((w: string): [string, number] => [w, 1]),
        rollingReduce<[string, number], string>((a, b) => [a[0], a[1] + b[1]], { uid: 'counts' }),
        toValues(),
        toArray(),
      ),
    );
    expect(out).toEqual([
      ['to', 1],
      ['be', 1],
      ['or', 1],
      ['not', 1],
      ['to', 2],
      ['be', 2],
    ]);
  });

  it('exports and imports its state mid-stream without changing the output', () => {
    const reduce = (a: number, b: number) => a + b;
    const first = new OperatorHarness((rt) => new RollingReduceOperator<number, string>(reduce, { uid: 'r' }, rt));
    first.process(kr(1, 1, 'a'), kr(2, 2, 'b'));
    const snapshot = structuredClone(first.operator.snapshotCheckpoint!(FULL));
    const second = new OperatorHarness((rt) => new RollingReduceOperator<number, string>(reduce, { uid: 'r' }, rt));
    second.operator.restoreCheckpoint!(snapshot);
    second.process(kr(3, 3, 'a'), kr(4, 4, 'b'));
    expect(second.recordsOut()).toEqual([
      [4, 3],
      [6, 4],
    ]);
  });

  it('refuses a stream without keys with NotKeyedError', async () => {
    await expect(
      firstValueFrom(
        of([record(1, 1)] as unknown as StreamBatch<number, string>).pipe(
          rollingReduce((a: number, b: number) => a + b),
          toArray(),
        ),
      ),
    ).rejects.toBeInstanceOf(NotKeyedError);
  });

  it('validates its options when the pipeline is built', () => {
    expect(() => rollingReduce('nope' as never)).toThrow(InvalidOptionError);
    expect(() => rollingReduce((a: number) => a, { uid: '' })).toThrow(/uid/);
  });

  it('keeps tuple keys and keys named __proto__ apart', async () => {
    const values = [
      ['__proto__', 1],
      ['constructor', 2],
      ['__proto__', 3],
    ] as const;
    const out = await firstValueFrom(
      from([values.map((v, i) => record(v, i))]).pipe(
        keyBy((v: readonly [string, number]) => [v[0], 'k'] as const),
        rollingReduce((a: readonly [string, number], b: readonly [string, number]) => [a[0], a[1] + b[1]] as const),
        toValues(),
        toArray(),
      ),
    );
    expect(out).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
      ['__proto__', 4],
    ]);
  });
});
