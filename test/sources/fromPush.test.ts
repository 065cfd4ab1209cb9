import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { Subject, take, tap } from 'rxjs';
import {
  asyncSinkValues,
  BufferOverflowError,
  fromPush,
  InvalidOptionError,
  SideOutput,
  type OverflowPolicy,
} from '../../src/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('fromPush: a bounded buffer with an explicit overflow policy (marbles)', () => {
  // Values arrive every frame; the sink takes 5 frames per write and holds one value, so the buffer
  // of 2 fills at frame 3 and the value at frame 4 overflows.
  const run = (overflow: OverflowPolicy, expected: string, values: Record<string, unknown>, dropped: string[]) => {
    const ts = newScheduler();
    ts.run(({ cold, hot, expectObservable }) => {
      const side = new SideOutput<string>('dropped clicks');
      const seen: string[] = [];
      side.subscribe((v) => seen.push(v));
      const source = fromPush(hot<string>('-abcd|'), {
        bufferSize: 2,
        overflow,
        batchSize: 1,
        dropped: side,
        scheduler: ts,
        name: 'clicks',
      });
      expectObservable(
        source.pipe(asyncSinkValues(() => cold('-----|'), { concurrency: 1, bufferSize: 1, scheduler: ts })),
        '^',
      ).toBe(
        expected,
        values,
        expect.objectContaining({ name: 'BufferOverflowError', buffer: 'clicks', size: 2, element: 'd' }),
      );
      ts.flush();
      expect(seen).toEqual(dropped);
      expect(source.counters.get('dropped')).toBe(dropped.length);
      expect(source.monitor.snapshot().dropped).toBe(dropped.length);
    });
  };

  it("'drop-oldest' drops the oldest buffered value and counts it", () => {
    run('drop-oldest', '------a----c----(d|)', { a: ['a'], c: ['c'], d: ['d'] }, ['b']);
  });

  it("'drop-newest' drops the arriving value and counts it", () => {
    run('drop-newest', '------a----b----(c|)', { a: ['a'], b: ['b'], c: ['c'] }, ['d']);
  });

  it("'error' fails with a BufferOverflowError naming the buffer and its size", () => {
    run('error', '----#', {}, []);
    let error: unknown;
    const s = new Subject<number>();
    fromPush(s, { bufferSize: 1, overflow: 'error', name: 'socket', scheduler: newScheduler() }).subscribe({
      error: (e: unknown) => (error = e),
    });
    s.next(1);
    s.next(2);
    expect(error).toBeInstanceOf(BufferOverflowError);
    expect((error as BufferOverflowError).message).toMatch(/"socket".*bound of 1 records.*element 2/);
    expect((error as BufferOverflowError).buffer).toBe('socket');
    expect((error as BufferOverflowError).size).toBe(1);
  });

  it('emits buffered values in batches when there is no slow stage, and completes after them', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = fromPush(hot('-a-(bc)|'), { bufferSize: 10, overflow: 'error', scheduler: ts });
      expectObservable(source).toBe('-a-b---|', { a: ['a'], b: ['b', 'c'] });
    });
  });

  it('delivers an input error after the buffered values', () => {
    const ts = newScheduler();
    ts.run(({ hot, cold, expectObservable }) => {
      const emitted: string[] = [];
      const source = fromPush(hot('-ab#'), { bufferSize: 10, overflow: 'error', batchSize: 1, scheduler: ts });
      const tapped = source.pipe(
        tap({ next: (b) => emitted.push(`${ts.now()}:${b.join('')}`), error: () => emitted.push(`${ts.now()}:#`) }),
      );
      // The sink fails at once on an input error (writes in flight are abandoned, not silently: the
      // stream errors); the buffer delivered b first, when the sink had room at frame 3.
      expectObservable(
        tapped.pipe(asyncSinkValues(() => cold('--|'), { concurrency: 1, bufferSize: 1, scheduler: ts })),
      ).toBe('---(a#)', { a: ['a'] });
      ts.flush();
      expect(emitted).toEqual(['1:a', '3:b', '3:#']);
    });
  });

  it('reports occupancy, drops and backpressured time in its metrics', () => {
    const ts = newScheduler();
    ts.run(({ cold, hot }) => {
      const source = fromPush(hot<string>('-abcdef|'), {
        bufferSize: 3,
        overflow: 'drop-newest',
        batchSize: 1,
        scheduler: ts,
        name: 'ws',
      });
      const samples: [number, number, number][] = [];
      source.monitor
        .metrics(2)
        .pipe(take(6))
        .subscribe((m) => samples.push([m.occupancy, m.dropped, m.backPressuredTimeMsPerSecond]));
      source.pipe(asyncSinkValues(() => cold('----|'), { concurrency: 1, bufferSize: 1, scheduler: ts })).subscribe();
      ts.flush();
      const buffer = source.monitor.snapshot().stages.find((s) => s.kind === 'push-buffer')!;
      expect(buffer).toMatchObject({
        name: 'ws',
        capacity: 3,
        peakOccupancy: 3,
        dropped: 1,
        recordsIn: 6,
        recordsOut: 5,
      });
      // Sampled every 2 frames: occupancy counts the push buffer and the sink (a is written 1-5, b
      // 5-9, ...); from frame 2 on the buffer always waits for the sink; e, arriving at 5 on a full
      // buffer, is dropped.
      expect(samples).toEqual([
        [1, 0, 0],
        [4, 0, 1000],
        [4, 1, 1000],
        [4, 1, 1000],
        [3, 1, 1000],
        [3, 1, 1000],
      ]);
    });
  });

  it('refuses invalid options when built', () => {
    const s = new Subject<number>();
    expect(() => fromPush(s, { bufferSize: 0, overflow: 'error' })).toThrow(InvalidOptionError);
    expect(() => fromPush(s, { bufferSize: 1.5, overflow: 'error' })).toThrow(/bufferSize/);
    expect(() => fromPush(s, { bufferSize: 4, overflow: 'drop' as OverflowPolicy })).toThrow(/overflow/);
  });
});
