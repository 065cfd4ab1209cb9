// earlyPanes: the window operators fire their open windows themselves, as EARLY panes (Beam's
// PaneInfo: fired before the watermark reached the window's end - 1), on the fire-early control
// element it sends in-band; the windows keep their contents and count the panes, so the on-time
// pane that follows has the next index.
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { earlyPanes } from '../../src/browser/index.js';
import {
  boundedOutOfOrderness,
  count,
  InvalidOptionError,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTime,
  type WindowResult,
} from '../../src/index.js';

type Click = { page: string; at: number };

/** A click pipeline (withEventTime, keyBy, window, toValues: one fused chain) whose subscriber keeps EARLY results apart. */
function clickPipeline(allowedLateness = 0) {
  const clicks = new Subject<Click>();
  const early: WindowResult<string, number>[] = [];
  const fired: WindowResult<string, number>[] = [];
  clicks
    .pipe(
      withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness<Click>(0).onEveryEvent() }),
      keyBy((c) => c.page),
      window(tumblingEventTimeWindows(10_000), { allowedLateness }).aggregate(count()),
      toValues(),
    )
    .subscribe((r) => (r.pane.timing === 'EARLY' ? early : fired).push(r));
  const panes = earlyPanes({ send: (_, batch) => clicks.next(batch as never), take: () => early.splice(0) });
  return { clicks, fired, panes };
}
const brief = (r: WindowResult<string, number>) => [r.key, r.window.start, r.value, r.pane.timing, r.pane.index];

describe('earlyPanes', () => {
  for (const lateness of [0, 5_000]) {
    it(`fires the open windows through the pipeline, twice, then the on-time pane has index 2 (allowed lateness ${lateness})`, () => {
      const { clicks, fired, panes } = clickPipeline(lateness);
      for (const [page, at] of [
        ['a', 1_000],
        ['b', 2_000],
        ['a', 11_000],
      ] as const)
        clicks.next({ page, at });
      // [0, 10 s) fired on time at the watermark 10 999; [10 s, 20 s) is open.
      expect(fired.map(brief)).toEqual([
        ['a', 0, 1, 'ON_TIME', 0],
        ['b', 0, 1, 'ON_TIME', 0],
      ]);
      expect(panes().map(brief)).toEqual([['a', 10_000, 1, 'EARLY', 0]]);
      clicks.next({ page: 'a', at: 12_000 });
      clicks.next({ page: 'b', at: 13_000 });
      expect(panes().map((r) => [...brief(r), r.pane.isFirst, r.pane.isLast])).toEqual([
        ['a', 10_000, 2, 'EARLY', 1, false, false],
        ['b', 10_000, 1, 'EARLY', 0, true, false],
      ]);
      clicks.next({ page: 'a', at: 25_000 });
      expect(fired.slice(2).map((r) => [...brief(r), r.pane.isFirst])).toEqual([
        ['a', 10_000, 2, 'ON_TIME', 2, false],
        ['b', 10_000, 1, 'ON_TIME', 1, false],
      ]);
    });
  }

  it('a missing function is an InvalidOptionError naming the option', () => {
    expect(() => earlyPanes({ send: () => undefined, take: 5 as unknown as () => [] })).toThrow(InvalidOptionError);
    expect(() => earlyPanes({ send: () => undefined, take: 5 as unknown as () => [] })).toThrow(/take/);
    expect(() => earlyPanes({ take: () => [] } as never)).toThrow(/send/);
  });
});
