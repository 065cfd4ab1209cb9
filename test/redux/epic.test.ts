// The operators inside a redux-observable epic: an epic is a function (action$, state$) => action$,
// so a pipeline is just the epic's pipe. Shown with an epic-shaped function, without the
// redux-observable package (docs/redux.md, "Inside epics").
import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { bufferCount, filter, map, type Observable } from 'rxjs';
import type { Action, PayloadAction } from '@reduxjs/toolkit';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTime,
} from '../../src/index.js';
import { createWindowResultsSlice, isPipelineAction } from '../../src/redux/index.js';
import type { PaneInfo } from '../../src/index.js';

/** Each window of the default trigger fires once, on time (its only and final pane). */
const ON_TIME: PaneInfo = { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true };

type Clicked = PayloadAction<{ area: string }, 'ui/clicked', { timestamp: number }>;
const isClick = (a: Action): a is Clicked => a.type === 'ui/clicked';
const perArea = createWindowResultsSlice<string, number>({ name: 'perArea', retention: 60_000 });

/** Counts clicks per area and 10 ms event-time window; results leave as window-results actions. */
const clicksPerAreaEpic = (action$: Observable<Action>, scheduler: TestScheduler) =>
  action$.pipe(
    filter(isClick),
    withEventTime({
      timestamp: (a) => a.meta.timestamp,
      watermarks: boundedOutOfOrderness<Clicked>(2).withPeriod(0),
      scheduler,
    }),
    keyBy((a) => a.payload.area),
    window(tumblingEventTimeWindows(10)).aggregate(count()),
    toValues(),
    map((r) => perArea.actions.resultsReceived([r])),
  );

const click = (area: string, timestamp: number): Clicked => ({
  type: 'ui/clicked',
  payload: { area },
  meta: { timestamp },
});

describe('the operators inside an epic, under TestScheduler', () => {
  it('emits each window result as an action when the watermark passes the window, and the rest at completion', () => {
    const ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    ts.run(({ hot, expectObservable }) => {
      const action$ = hot<Action>('-a-b-x-c-d-------|', {
        a: click('home', 1),
        b: click('cart', 4),
        x: { type: 'other' },
        c: click('home', 8),
        d: click('home', 13),
      });
      // d (13) moves the watermark to 10: [0, 10) fires for home (2) and cart (1) in key order of firing.
      expectObservable(clicksPerAreaEpic(action$, ts)).toBe('---------(hc)----(e|)', {
        h: perArea.actions.resultsReceived([{ key: 'home', window: { start: 0, end: 10 }, value: 2, pane: ON_TIME }]),
        c: perArea.actions.resultsReceived([{ key: 'cart', window: { start: 0, end: 10 }, value: 1, pane: ON_TIME }]),
        e: perArea.actions.resultsReceived([{ key: 'home', window: { start: 10, end: 20 }, value: 1, pane: ON_TIME }]),
      });
    });
  });

  it("the epic's output actions are the pipeline's own, so an action source would not read them back", () => {
    const ts = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
    ts.run(({ hot, expectObservable }) => {
      const out = clicksPerAreaEpic(hot<Action>('-a-|', { a: click('home', 1) }), ts);
      expectObservable(out.pipe(map(isPipelineAction), bufferCount(10))).toBe('---(t|)', { t: [true] });
    });
  });
});
