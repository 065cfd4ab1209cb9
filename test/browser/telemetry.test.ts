// The telemetry app in real Chromium: the page loads, the pipeline runs, the charts get data from
// the Redux store, malformed events go to the visible "invalid" counter, real clicks and the page's
// own web vitals (the real web-vitals library) arrive, and a screenshot is written for a person.
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appState, startTelemetryApp, type TelemetryApp } from './telemetry-app.js';

let app: TelemetryApp;
beforeAll(async () => {
  app = await startTelemetryApp();
});
afterAll(async () => {
  await app?.close();
});

type Api = {
  __telemetry: { state(): { windows: { ids: string[] }; app: { invalid: number; vitals: Record<string, number> } } };
};

describe('the telemetry app', () => {
  it('loads, fills the charts from the store, counts invalid events, takes real clicks and web vitals; writes a screenshot', async () => {
    // Real time, starting 2 minutes back: the page catches up at once (12 windows of 10 s), then goes on live.
    const page = await app.open({ id: `live-${Date.now()}`, seed: 3, disorder: 0.1, backfill: 120_000 });
    await page
      .waitForFunction(
        () => {
          const s = (globalThis as unknown as Api).__telemetry.state();
          return s.windows.ids.length >= 16 && s.app.invalid >= 3;
        },
        undefined,
        { timeout: 30_000, polling: 100 },
      )
      .catch(async (e: unknown) => {
        throw new Error(
          `${String(e)}\n${JSON.stringify({ status: (await appState(page)).pipelineStatus, windows: (await appState(page)).windows.ids.length, log: app.consoleLog })}`,
        );
      });
    for (const area of ['checkout', 'cart', 'search', 'checkout']) await page.click(`button[data-area="${area}"]`);
    await page.fill('input[data-area="search"]', 'rxflink');
    await page.waitForFunction(
      () => Object.keys((globalThis as unknown as Api).__telemetry.state().app.vitals).length >= 2,
      undefined,
      { timeout: 20_000 },
    );
    await page.waitForTimeout(1_500); // a checkpoint commits the latest windows; uPlot draws on the next frame
    const state = await appState(page);
    const context = JSON.stringify({ status: state.pipelineStatus, app: state.app, log: app.consoleLog });

    // The status slice, fed by pipelineStatusFeed: running, this tab owns the state, checkpoints stored, records flowing.
    expect(state.pipelineStatus, context).toMatchObject({ phase: 'running', owner: 'this-tab', error: null });
    expect(state.pipelineStatus.lastCheckpoint?.id, context).toBeGreaterThan(0);
    expect(state.pipelineStatus.recordsIn, context).toBeGreaterThan(100);
    expect(state.pipelineStatus.watermark, context).toBeGreaterThan(0);
    expect(state.pipelineStatus.lagMs, context).toBeGreaterThanOrEqual(0);
    // ... and shown on the page.
    const shown = /^(\d+) at /.exec((await page.textContent('#checkpoint')) ?? '');
    expect(Number(shown?.[1]), context).toBeGreaterThanOrEqual(state.pipelineStatus.lastCheckpoint!.id); // one may have completed since
    expect(await page.textContent('#watermark'), context).toMatch(/lag \d+\.\d s/);
    expect(await page.textContent('#records'), context).toMatch(/^\d+ in · \d+ out$/);
    expect(await page.textContent('#status'), context).toMatch(/owner: this tab/);
    // The simulated areas each have windows with counts and latency quantiles.
    const windows = Object.values(state.windows.entities);
    for (const area of ['home', 'search', 'cart', 'checkout']) {
      const mine = windows.filter((w) => w.key === area).map((w) => w.value);
      expect(mine.length, context).toBeGreaterThanOrEqual(3);
      expect(
        mine.every((w) => w.count > 0 && w.p95 >= w.p50 && w.p50 > 0),
        context,
      ).toBe(true);
    }
    // The page's own web vitals, from the real library in Chromium: at least FCP and TTFB. Reports
    // of one metric instance are its updates: numbered 0, 1, ... under one id, and their deltas add
    // up to its latest value.
    expect(Object.keys(state.app.vitals), context).toEqual(expect.arrayContaining(['FCP', 'TTFB']));
    const updates = await page.evaluate(() =>
      (
        globalThis as unknown as {
          __telemetry: { vitalUpdates(): { name: string; id: string; update: number; value: number; delta: number }[] };
        }
      ).__telemetry.vitalUpdates(),
    );
    const byId = new Map<string, typeof updates>();
    for (const u of updates) byId.set(u.id, [...(byId.get(u.id) ?? []), u]);
    for (const [id, reports] of byId) {
      expect(
        reports.map((r) => r.update),
        `${id} ${context}`,
      ).toEqual(reports.map((_, i) => i));
      expect(new Set(reports.map((r) => r.name)).size).toBe(1);
      expect(reports.reduce((s, r) => s + r.delta, 0)).toBeCloseTo(reports.at(-1)!.value, 6);
    }
    console.log(
      `web vitals in Chromium: ${updates.map((u) => `${u.name}#${u.update}=${u.value.toFixed(3)}`).join(' ')}`,
    );
    // Invalid events (missing timestamp, non-numeric latency) are counted on the page, which keeps running.
    expect(Number(await page.textContent('#invalid')), context).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('#status'), context).toMatch(/^running/);
    // The charts have drawn their series: uPlot's legend shows the areas, its canvas has size.
    expect(await page.locator('#chart-count .u-legend').textContent(), context).toMatch(
      /home.*search.*cart.*checkout/s,
    );
    expect(await page.locator('#chart-count canvas').count(), context).toBe(1);
    expect(Number(await page.textContent('#windows'))).toBe(state.windows.ids.length);

    await mkdir('test/browser/screenshots', { recursive: true });
    await page.screenshot({ path: 'test/browser/screenshots/telemetry.png', fullPage: true });

    // The rxflink devtools, mounted closed on the page's metrics: opened once, they show both
    // pipelines' operators, their checkpoints and this tab as the state's owner.
    const devtools = page.locator('rxflink-devtools');
    expect(await devtools.getAttribute('data-open'), context).toBeNull();
    await page.locator('rxflink-devtools .toggle').click();
    await page.waitForFunction(
      () => {
        const root = document.querySelector('rxflink-devtools')!.shadowRoot!;
        return (
          root.querySelectorAll('svg .node').length >= 4 &&
          root.querySelectorAll('table.checkpoints tbody tr').length > 0
        );
      },
      undefined,
      { timeout: 15_000 },
    );
    const panel = await page.evaluate(() => {
      const root = document.querySelector('rxflink-devtools')!.shadowRoot!;
      return {
        nodes: [...root.querySelectorAll('svg .node')].map((n) => n.getAttribute('data-id')),
        owner: root.querySelector('.owner')?.textContent,
      };
    });
    expect(panel.owner, JSON.stringify(panel)).toBe('State owned by this tab');
    expect(panel.nodes, JSON.stringify(panel)).toEqual(
      expect.arrayContaining(['sim-entry', 'ui-entry', 'areas', 'sessions']),
    );
    await page.waitForTimeout(1_000); // a few samples: the charts have lines
    await page.screenshot({ path: 'test/browser/screenshots/telemetry-devtools.png' });

    // Page exit: hidden (as a tab switch does), the page sends its open area windows as early panes
    // (quantile sketches read back from the window operator's queryable view) and takes a checkpoint.
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    type Exits = { __telemetry: { exits(): { sentItems: number; checkpoint: unknown; earlyPanesFailed?: string }[] } };
    await page.waitForFunction(() => (globalThis as unknown as Exits).__telemetry.exits().length === 1, undefined, {
      timeout: 10_000,
    });
    const [exit] = await page.evaluate(() => (globalThis as unknown as Exits).__telemetry.exits());
    expect(exit, JSON.stringify({ exit, log: app.consoleLog })).toMatchObject({ checkpoint: 'taken' });
    expect(exit!.earlyPanesFailed, JSON.stringify(exit)).toBeUndefined();
    expect(exit!.sentItems, JSON.stringify(exit)).toBeGreaterThanOrEqual(4); // at least one open window per simulated area
    await page.close();
  });
});
