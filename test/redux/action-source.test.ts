import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { configureStore, createSlice, type UnknownAction } from '@reduxjs/toolkit';
import {
  boundedOutOfOrderness,
  count,
  InvalidOptionError,
  memoryBackend,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  windowAll,
  withEventTimeBatches,
} from '../../src/index.js';
import {
  actionTimestamp,
  createActionSource,
  defaultActionTime,
  isPipelineAction,
  tagPipelineAction,
  type ActionEvent,
} from '../../src/redux/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const counter = createSlice({ name: 'count', initialState: 0, reducers: { clicked: (n) => n + 1 } });

function storeWith(middleware: ReturnType<typeof createActionSource>['middleware']) {
  return configureStore({ reducer: { count: counter.reducer }, middleware: (d) => d().concat(middleware) });
}

describe('createActionSource: dispatched actions as a pipeline source', () => {
  it('passes each dispatched action on after the reducers ran, with its event time from meta.timestamp, else the receive time', () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const actions = createActionSource<UnknownAction>({ bufferSize: 10, overflow: 'error', scheduler: ts });
      const store = storeWith(actions.middleware);
      const seen: ActionEvent<UnknownAction>[] = [];
      const states: number[] = [];
      actions.source.subscribe((batch) => {
        seen.push(...batch);
        states.push(store.getState().count);
      });
      ts.schedule(() => store.dispatch(counter.actions.clicked()), 5);
      ts.schedule(() => store.dispatch({ type: 'other', meta: { timestamp: 1 } }), 7);
      flush();
      expect(seen).toEqual([
        { action: counter.actions.clicked(), timestamp: 5 },
        { action: { type: 'other', meta: { timestamp: 1 } }, timestamp: 1 },
      ]);
      expect(states).toEqual([1, 1]);
    });
  });

  it("leaves out the pipeline's own actions (no feedback loop) unless asked, and applies the filter", () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const own = createActionSource<UnknownAction>({
        bufferSize: 10,
        overflow: 'error',
        scheduler: ts,
        filter: (a) => a.type !== 'ignored',
      });
      const all = createActionSource<UnknownAction>({
        bufferSize: 10,
        overflow: 'error',
        scheduler: ts,
        includePipelineActions: true,
      });
      const store = configureStore({
        reducer: { count: counter.reducer },
        middleware: (d) => d().concat(own.middleware, all.middleware),
      });
      const seenOwn: string[] = [];
      const seenAll: string[] = [];
      own.source.subscribe((b) => seenOwn.push(...b.map((e) => e.action.type)));
      all.source.subscribe((b) => seenAll.push(...b.map((e) => e.action.type)));
      store.dispatch({ type: 'user' });
      store.dispatch(tagPipelineAction({ type: 'results' }));
      store.dispatch({ type: 'ignored' });
      flush();
      expect(seenOwn).toEqual(['user']);
      expect(seenAll).toEqual(['user', 'results', 'ignored']);
      expect(isPipelineAction(tagPipelineAction({ type: 'x', meta: { timestamp: 3 } }))).toBe(true);
      expect(tagPipelineAction({ type: 'x', meta: { timestamp: 3 } }).meta).toMatchObject({
        timestamp: 3,
        rxflinkPipeline: true,
        RTK_autoBatch: true,
      });
    });
  });

  it('is bounded: actions beyond bufferSize while the pipeline cannot take them are dropped and counted', () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const actions = createActionSource<UnknownAction>({ bufferSize: 2, overflow: 'drop-oldest', scheduler: ts });
      const store = storeWith(actions.middleware);
      const seen: string[] = [];
      actions.source.subscribe((b) => seen.push(...b.map((e) => e.action.type)));
      for (const type of ['a', 'b', 'c', 'd']) store.dispatch({ type });
      flush();
      expect(seen).toEqual(['c', 'd']);
      expect(actions.source.counters.get('dropped')).toBe(2);
    });
  });

  it('counts clicks per event-time window in front of withEventTimeBatches', () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const actions = createActionSource<UnknownAction>({
        bufferSize: 100,
        overflow: 'error',
        scheduler: ts,
        filter: (a) => a.type === 'count/clicked',
      });
      const store = storeWith(actions.middleware);
      const counts: number[] = [];
      const sub = actions.source
        .pipe(
          withEventTimeBatches({ timestamp: actionTimestamp, watermarks: boundedOutOfOrderness(0) }),
          windowAll(tumblingEventTimeWindows(10)).aggregate(count()),
          toValues(),
        )
        .subscribe((r) => counts.push(r.value));
      for (const t of [1, 2, 3, 12, 25]) ts.schedule(() => store.dispatch(counter.actions.clicked()), t);
      ts.schedule(() => store.dispatch({ type: 'elsewhere' }), 4);
      ts.schedule(() => sub.unsubscribe(), 1_000); // periodic watermarks never end on their own
      flush();
      expect(counts).toEqual([3, 1]); // [0,10) and [10,20) fired by the watermark of the click at 25
    });
  });

  it('takes part in checkpoints through checkpoints.source (as fromPush)', async () => {
    const actions = createActionSource<UnknownAction>({ bufferSize: 10, overflow: 'error' });
    const checkpoints = await startCheckpointing({
      backend: memoryBackend({ pipelineId: 'actions' }),
      interval: 60_000,
    });
    const store = storeWith(actions.middleware);
    const seen: string[] = [];
    const sub = checkpoints
      .source('actions', actions.source)
      .subscribe((b) => seen.push(...b.map((e) => (e as ActionEvent<UnknownAction>).action.type)));
    store.dispatch({ type: 'a' });
    const info = await checkpoints.checkpoint();
    expect(info.checkpointId).toBe(1);
    expect(seen).toContain('a');
    sub.unsubscribe();
    await checkpoints.close();
  });

  it('defaultActionTime ignores a meta.timestamp that is not a finite number', () => {
    expect(defaultActionTime({ type: 'a', meta: { timestamp: '5' } }, 9)).toBe(9);
    expect(defaultActionTime({ type: 'a', meta: { timestamp: Number.NaN } }, 9)).toBe(9);
    expect(defaultActionTime({ type: 'a', meta: { timestamp: 5 } }, 9)).toBe(5);
  });

  it('rejects bad options with an InvalidOptionError naming them', () => {
    expect(() => createActionSource({ bufferSize: 0, overflow: 'error' })).toThrow(InvalidOptionError);
    expect(() => createActionSource({ bufferSize: 1, overflow: 'error', filter: 3 as never })).toThrow(/filter/);
    expect(() => createActionSource({ bufferSize: 1, overflow: 'error', eventTime: 'meta' as never })).toThrow(
      /eventTime/,
    );
  });
});
