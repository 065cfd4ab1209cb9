import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { autoBatchEnhancer, configureStore, type UnknownAction } from '@reduxjs/toolkit';
import { mergeMap } from 'rxjs';
import { BufferOverflowError, Counters, InvalidOptionError, SideOutput } from '../../src/index.js';
import { createWindowResultsSlice, dispatchResults, isPipelineAction } from '../../src/redux/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const batchOf = (results: number[]): UnknownAction => ({ type: 'results', payload: results });

describe('dispatchResults: batched, bounded dispatch of results', () => {
  it("dispatches one action per interval with at most maxPerAction results, tagged as the pipeline's and for autoBatchEnhancer", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const dispatched: UnknownAction[] = [];
      const counters = new Counters();
      const out = hot<number>('a(bcd)-e------|', { a: 1, b: 2, c: 3, d: 4, e: 5 }).pipe(
        dispatchResults(
          (a) => {
            dispatched.push(a as UnknownAction);
            return a;
          },
          { action: batchOf, bufferSize: 10, overflow: 'error', maxPerAction: 2, interval: 3, scheduler: ts, counters },
        ),
      );
      // Ticks at 3 (1, 2), 6 (3, 4) and, after 5 arrives at 7, 10 (5); the input completes at 14.
      expectObservable(out).toBe('---a--b---c---|', { a: [1, 2], b: [3, 4], c: [5] });
      flush();
      expect(dispatched.map((a) => a.payload)).toEqual([[1, 2], [3, 4], [5]]);
      expect(
        dispatched.every((a) => isPipelineAction(a) && (a.meta as Record<string, unknown>).RTK_autoBatch === true),
      ).toBe(true);
      expect(counters.toJSON()).toEqual({ dispatches: 3, dispatched: 5 });
    });
  });

  it('is bounded: under backpressure it drops by the policy, counts every drop and routes it to the side output', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const counters = new Counters();
      const side = new SideOutput<number>('dropped results');
      const dropped: number[] = [];
      side.subscribe((v) => dropped.push(v));
      const out = hot<number>('(abcde)|', { a: 1, b: 2, c: 3, d: 4, e: 5 }).pipe(
        dispatchResults(() => undefined as never, {
          action: batchOf,
          bufferSize: 3,
          overflow: 'drop-oldest',
          maxPerAction: 10,
          interval: 5,
          scheduler: ts,
          counters,
          dropped: side,
        }),
      );
      expectObservable(out).toBe('-----a-|', { a: [3, 4, 5] }); // the group (abcde) spans frames 0-6
      flush();
      expect(dropped).toEqual([1, 2]);
      expect(counters.get('dropped')).toBe(2);
    });
  });

  it("'error' fails with a BufferOverflowError naming the sink", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const out = hot<number>('abc', { a: 1, b: 2, c: 3 }).pipe(
        dispatchResults(() => undefined as never, {
          action: batchOf,
          bufferSize: 2,
          overflow: 'error',
          interval: 5,
          scheduler: ts,
        }),
      );
      expectObservable(out).toBe(
        '--#',
        undefined,
        expect.objectContaining({ name: 'BufferOverflowError', buffer: 'dispatchResults', size: 2 }),
      );
    });
    expect(BufferOverflowError).toBeDefined();
  });

  it('delivers the buffered results before an error of the input', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const out = hot<number>('a#', { a: 1 }).pipe(
        dispatchResults(() => undefined as never, {
          action: batchOf,
          bufferSize: 2,
          overflow: 'error',
          interval: 4,
          scheduler: ts,
        }),
      );
      expectObservable(out).toBe('----(a#)', { a: [1] });
    });
  });

  it('with autoBatchEnhancer, a burst of results notifies a subscriber once per dispatch tick', () => {
    const ts = newScheduler();
    ts.run(({ hot, flush }) => {
      const slice = createWindowResultsSlice<string, number>({ name: 'counts', retention: 1_000 });
      const store = configureStore({
        reducer: { counts: slice.reducer },
        enhancers: (d) =>
          d().concat(autoBatchEnhancer({ type: 'callback', queueNotification: (notify) => ts.schedule(notify) })),
      });
      let notified = 0;
      store.subscribe(() => notified++);
      const results = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, window: { start: 0, end: 10 }, value: i }));
      hot('(a|)', { a: results })
        .pipe(
          mergeMap((batch) => batch),
          dispatchResults(store.dispatch, {
            action: slice.actions.resultsReceived,
            bufferSize: 100,
            overflow: 'error',
            maxPerAction: 20,
            interval: 1,
            scheduler: ts,
          }),
        )
        .subscribe();
      flush();
      expect(slice.selectors.selectAll(store.getState())).toHaveLength(50);
      expect(notified).toBe(3); // 3 dispatches (20 + 20 + 10), one notification each
    });
  });

  it('rejects bad options with an InvalidOptionError naming them', () => {
    expect(() =>
      dispatchResults(() => undefined as never, { action: batchOf, bufferSize: 0, overflow: 'error' }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      dispatchResults(() => undefined as never, { action: batchOf, bufferSize: 1, overflow: 'drop' as never }),
    ).toThrow(/overflow/);
    expect(() =>
      dispatchResults(() => undefined as never, {
        action: batchOf,
        bufferSize: 1,
        overflow: 'error',
        maxPerAction: 1.5,
      }),
    ).toThrow(/maxPerAction/);
    expect(() =>
      dispatchResults(() => undefined as never, { action: batchOf, bufferSize: 1, overflow: 'error', interval: -1 }),
    ).toThrow(/interval/);
    expect(() => dispatchResults('store' as never, { action: batchOf, bufferSize: 1, overflow: 'error' })).toThrow(
      /dispatch/,
    );
  });
});
