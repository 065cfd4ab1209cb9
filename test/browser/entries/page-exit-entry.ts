// Browser side of test/browser/telemetry-page-exit.test.ts: a page that watches its exit with the
// real sendBeacon and the real IndexedDB outbox; `?items=` results are pending when it is left.
// `?early=` events of a click pipeline (one per second of event time, pages a and b in turn) go
// through a 10 s tumbling window whose open windows leave as early panes.
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
import { createQueryableState, type OpenWindow } from '../../../src/redux/index.js';

const params = new URLSearchParams(location.search);
const items = Number(params.get('items') ?? 0);
const pending = Array.from({ length: items }, (_, i) => ({ i, pad: 'x'.repeat(1_000) }));
const sent: string[] = [];

type Click = { page: string; at: number };
const live = createQueryableState();
const clicks = new Subject<Click>();
const perPage = count();
let watermark = -Infinity;
const fired: unknown[] = [];
clicks
  .pipe(
    withEventTime({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness<Click>(0).onEveryEvent() }),
    keyBy((c) => c.page),
    window(tumblingEventTimeWindows(10_000), { queryable: { registry: live, name: 'clicks' } }).aggregate(perPage),
    toValues(),
  )
  .subscribe((r) => fired.push(r));
for (let i = 0; i < Number(params.get('early') ?? 0); i++) {
  clicks.next({ page: i % 2 === 0 ? 'a' : 'b', at: i * 1_000 });
  watermark = i * 1_000 - 1; // boundedOutOfOrderness(0): the watermark trails the latest timestamp by 1 ms
}

const exit = watchPageExit({
  pipelineId: 'page-exit',
  url: params.get('collect') ?? '/collect',
  pending: () => pending.splice(0),
  earlyPanes: earlyPanes({
    openWindows: () => live.view<string, readonly OpenWindow[]>('clicks').getSnapshot().entries,
    aggregate: perPage,
    watermark: () => watermark,
  }),
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
  /** The window results the pipeline fired itself (on time). */
  fired,
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
