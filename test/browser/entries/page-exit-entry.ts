// Browser side of test/browser/telemetry-page-exit.test.ts: a page that watches its exit with the
// real sendBeacon and the real IndexedDB outbox; `?items=` results are pending when it is left.
// `?early=` events of a click pipeline (one per second of event time, pages a and b in turn) go
// through a 10 s tumbling window whose open windows the exit fires as early panes (the fire-early
// control element); `api.click(n)` sends more events after an exit.
import { Subject } from 'rxjs';
import { earlyPanes, watchPageExit, type PageExitReport } from '../../../src/browser/index.js';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTime,
} from '../../../src/index.js';

const params = new URLSearchParams(location.search);
const items = Number(params.get('items') ?? 0);
const pending = Array.from({ length: items }, (_, i) => ({ i, pad: 'x'.repeat(1_000) }));
const sent: string[] = [];

type Click = { page: string; at: number };
const clicks = new Subject<Click>();
const perPage = count();
const fired: unknown[] = [];
const early: unknown[] = [];
clicks
  .pipe(
    withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness<Click>(0).onEveryEvent() }),
    keyBy((c) => c.page),
    window(tumblingEventTimeWindows(10_000)).aggregate(perPage),
    toValues(),
  )
  .subscribe((r) => (r.pane.timing === 'EARLY' ? early : fired).push(r));
let clicked = 0;
const click = (n: number): void => {
  for (const end = clicked + n; clicked < end; clicked++)
    clicks.next({ page: clicked % 2 === 0 ? 'a' : 'b', at: clicked * 1_000 });
};
click(Number(params.get('early') ?? 0));

const exit = watchPageExit({
  pipelineId: 'page-exit',
  url: params.get('collect') ?? '/collect',
  pending: () => pending.splice(0),
  earlyPanes: earlyPanes({ send: (_, batch) => clicks.next(batch as never), take: () => early.splice(0) }),
  drainSend: async (body) => {
    sent.push(body);
    return true;
  },
  onExit: (report) => {
    api.exits.push(report);
  },
});

const api = {
  exits: [] as PageExitReport[],
  /** The window results the pipeline fired on time. */
  fired,
  /** Sends `n` more clicks, one per second of event time after the last. */
  click,
  /** Hides the page as a tab switch does (headless Chromium never hides a tab by itself). */
  hide(): void {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  },
  /** The outbox as this page found it, drained by this page (it owns the pipeline: no other tab). */
  drain: async () => {
    const count = await exit.drainOutbox();
    return { count, bodies: sent };
  },
};
(globalThis as unknown as { __rx: typeof api }).__rx = api;
