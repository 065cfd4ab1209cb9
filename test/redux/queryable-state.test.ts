import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { Subject } from 'rxjs';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  keyedProcess,
  queryableWindows,
  toValues,
  tumblingEventTimeWindows,
  valueState,
  window,
  withEventTime,
  type QueryableWindows,
} from '../../src/index.js';
import { createQueryableState, type OpenWindow } from '../../src/redux/index.js';

const newScheduler = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
interface Click {
  user: string;
  at: number;
}

describe('local queryable state: a live, read-only view of keyed state for the UI', () => {
  it("keyedProcess: each key's state by name; one notification per tick, snapshots cached between changes", () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const live = createQueryableState({ scheduler: ts });
      const clicks = new Subject<Click>();
      const total = valueState<number>('total');
      clicks
        .pipe(
          withEventTime({
            timestamp: (c) => c.at,
            watermarks: boundedOutOfOrderness<Click>(0).withPeriod(0),
            scheduler: ts,
          }),
          keyBy((c) => c.user),
          keyedProcess<Click, string, never>(
            {
              processElement(_c, ctx) {
                const state = ctx.getState(total);
                state.update((state.value() ?? 0) + 1);
              },
            },
            { queryable: { registry: live, name: 'totals' } },
          ),
          toValues(),
        )
        .subscribe();
      const view = live.view<string, { total: number }>('totals');
      let notified = 0;
      view.subscribe(() => notified++);
      const first = view.getSnapshot();
      expect(first.entries).toEqual([]);
      clicks.next({ user: 'ann', at: 1 });
      clicks.next({ user: 'bob', at: 2 });
      clicks.next({ user: 'ann', at: 3 });
      // Not told yet: the snapshot stays the same object until the tick.
      expect(view.getSnapshot()).toBe(first);
      flush();
      expect(notified).toBe(1);
      const second = view.getSnapshot();
      expect(second).not.toBe(first);
      expect(second.get('ann')).toEqual({ total: 2 });
      expect(second.get('bob')).toEqual({ total: 1 });
      expect(view.getSnapshot()).toBe(second);
      expect(Object.isFrozen(second.entries)).toBe(true);
      clicks.next({ user: 'bob', at: 4 });
      flush();
      expect(view.getSnapshot().get('bob')).toEqual({ total: 2 });
      expect(second.get('bob')).toEqual({ total: 1 }); // an old snapshot does not change
      clicks.complete();
    });
  });

  it("window: each key's open windows, gone once they fire; the view empties when the pipeline ends", () => {
    const ts = newScheduler();
    ts.run(({ flush }) => {
      const live = createQueryableState({ scheduler: ts });
      const clicks = new Subject<Click>();
      const results: number[] = [];
      clicks
        .pipe(
          withEventTime({
            timestamp: (c) => c.at,
            watermarks: boundedOutOfOrderness<Click>(0).withPeriod(0),
            scheduler: ts,
          }),
          keyBy((c) => c.user),
          window(tumblingEventTimeWindows(10), { queryable: queryableWindows(live, 'open') }).aggregate(count()),
          toValues(),
        )
        .subscribe((r) => results.push(r.value));
      const view = live.view<string, readonly OpenWindow[]>('open');
      clicks.next({ user: 'ann', at: 1 });
      clicks.next({ user: 'ann', at: 2 });
      clicks.next({ user: 'bob', at: 12 });
      flush();
      // The watermark 11 fired ann's [0, 10); bob's [10, 20) is open with a count of 1.
      expect(results).toEqual([2]);
      expect(view.getSnapshot().get('ann')).toBeUndefined();
      expect(view.getSnapshot().get('bob')).toEqual([{ start: 10, end: 20, accumulator: 1, elements: null }]);
      clicks.complete();
      flush();
      expect(view.getSnapshot().entries).toEqual([]);
    });
  });

  it('window: a plain { registry, name } (the option before 0.2) is an InvalidOptionError that names queryableWindows', () => {
    const live = createQueryableState();
    const plain = { registry: live, name: 'open' } as unknown as QueryableWindows;
    expect(() => window(tumblingEventTimeWindows(10), { queryable: plain }).aggregate(count())).toThrow(
      expect.objectContaining({
        name: 'InvalidOptionError',
        option: 'queryable',
        message: expect.stringContaining('queryableWindows(registry, name)'),
      }),
    );
  });

  it('keys compare by value in get (tuples by content)', () => {
    const ts = newScheduler();
    const live = createQueryableState({ scheduler: ts });
    const handle = live.register('t', () => [{ key: ['eu', 1], value: 'x' }]);
    ts.flush();
    expect(live.view<readonly (string | number)[], string>('t').getSnapshot().get(['eu', 1])).toBe('x');
    handle.close();
    ts.flush();
    expect(live.view('t').getSnapshot().entries).toEqual([]);
  });
});
