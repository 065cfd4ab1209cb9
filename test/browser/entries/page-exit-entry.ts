// Browser side of test/browser/telemetry-page-exit.test.ts: a page that watches its exit with the
// real sendBeacon and the real IndexedDB outbox; `?items=` results are pending when it is left.
import { watchPageExit, type PageExitReport } from '../../../src/browser/index.js';

const params = new URLSearchParams(location.search);
const items = Number(params.get('items') ?? 0);
const pending = Array.from({ length: items }, (_, i) => ({ i, pad: 'x'.repeat(1_000) }));
const sent: string[] = [];
const exit = watchPageExit({
  pipelineId: 'page-exit', url: params.get('collect') ?? '/collect', pending: () => pending.splice(0),
  drainSend: async (body) => { sent.push(body); return true; },
  onExit: (report) => { api.exits.push(report); },
});

const api = {
  exits: [] as PageExitReport[],
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
