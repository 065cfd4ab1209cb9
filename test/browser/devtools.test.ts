// Issue 13: rxflink/devtools in real Chromium. The panel renders a running pipeline, its numbers
// update, a slow async sink backpressures the sources upstream of it (HIGH, Flink's > 50%), and
// open/closed survives a reload. Writes test/browser/screenshots/devtools.png (open, a backpressured
// pipeline), devtools-finished.png (a stopped pipeline, every operator FINISHED) and
// devtools-closed.png (the floating button) for a person to look at.
import { mkdir } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reload, startHarness, type Harness } from './harness.js';
import type { api } from './entries/devtools-entry.js';

const SCREENSHOT = new URL('./screenshots/devtools.png', import.meta.url);
const PAGE = `<main style="font: 15px system-ui; padding: 24px 32px; color: #263238">
  <h1 style="margin: 0 0 8px">Clicks per page</h1>
  <p>A live dashboard of clicks; the rxflink devtools float above it.</p></main>`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ entry: 'test/browser/entries/devtools-entry.ts', body: PAGE });
});
afterAll(async () => {
  await h?.close();
});

const rx = (page: Page) => ({
  start: (slowSink: boolean) =>
    page.evaluate((slow) => (window as unknown as { __rx: typeof api }).__rx.start({ slowSink: slow }), slowSink),
});

/** The text of one cell of the operator table, in the row of the operator `id`. */
async function cell(page: Page, id: string, column: string): Promise<string> {
  return page.evaluate(
    ({ id, column }) => {
      const root = document.querySelector('rxflink-devtools')!.shadowRoot!;
      const headers = [...root.querySelectorAll('table.operators th')].map((th) => th.textContent);
      const row = [...root.querySelectorAll('table.operators tbody tr')].find(
        (tr) => (tr as HTMLElement).dataset.key === id,
      );
      return row?.querySelectorAll('td')[headers.indexOf(column)]?.textContent ?? '';
    },
    { id, column },
  );
}

/** Parses the panel's compact counts (999, 1.2k, 3.4M). */
const count = (text: string) => parseFloat(text) * (text.endsWith('k') ? 1e3 : text.endsWith('M') ? 1e6 : 1);

describe('rxflink/devtools in Chromium', () => {
  it('renders the running job graph (two sources merged into the window chain) and its numbers update', async () => {
    const page = await h.newPage();
    await page.evaluate(() => localStorage.clear());
    await rx(page).start(false);
    const devtools = page.locator('rxflink-devtools');
    await expect(devtools.getAttribute('data-open')).resolves.toBeNull(); // closed by default
    await mkdir(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: new URL('./devtools-closed.png', SCREENSHOT).pathname });
    await page.locator('rxflink-devtools .toggle').click();
    await page.locator('rxflink-devtools svg .node').nth(3).waitFor();
    await page.locator('rxflink-devtools svg .node').nth(5).waitFor();
    const nodes = await page
      .locator('rxflink-devtools svg .node')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-id')).sort());
    expect(nodes).toEqual(['archive sink#1', 'clicks per page', 'mobile', 'mobile clicks#1', 'web', 'web clicks#1']);
    // The merge: the sink has one edge per input.
    await expect(page.locator('rxflink-devtools svg path.edge').count()).resolves.toBe(5);

    await page.waitForFunction(
      () =>
        document.querySelector('rxflink-devtools')!.shadowRoot!.querySelectorAll('table.checkpoints tbody tr').length >
        0,
    );
    const before = count(await cell(page, 'clicks per page', 'In'));
    await page.waitForTimeout(1_500);
    const after = count(await cell(page, 'clicks per page', 'In'));
    expect(after).toBeGreaterThan(before);
    expect(count(await cell(page, 'web clicks#1', 'Out/s'))).toBeGreaterThan(0);
    // A sink that keeps up: the sources wait for data, never for demand (contrast with the next test).
    expect(await cell(page, 'web clicks#1', 'Backpressure')).toMatch(/^OK \d+%$/);
    await expect(page.locator('rxflink-devtools header .owner').textContent()).resolves.toBe('State owned by this tab');
    await page.close();
  });

  it('a slow async sink backpressures the sources upstream of it: their operators turn HIGH', async () => {
    const page = await h.newPage();
    await page.setViewportSize({ width: 1440, height: 1500 });
    await page.evaluate(() => localStorage.setItem('rxflink-devtools', 'open'));
    await rx(page).start(true);
    await page.waitForFunction(
      () => {
        const root = document.querySelector('rxflink-devtools')!.shadowRoot!;
        return (
          root.querySelector('svg .node[data-id="web clicks#1"]')?.getAttribute('data-level') === 'HIGH' &&
          root.querySelectorAll('table.checkpoints tbody tr').length >= 3 &&
          Number.parseInt(
            root.querySelector('table.operators tr[data-key="clicks per page"] td:nth-child(8)')?.textContent ?? '0',
            10,
          ) > 0
        );
      },
      undefined,
      { timeout: 20_000 },
    );
    expect(await cell(page, 'web clicks#1', 'Backpressure')).toMatch(/^HIGH \d+%$/);
    // Give the charts a few samples, then take the picture a person looks at.
    await page.waitForTimeout(2_000);
    await page.screenshot({ path: SCREENSHOT.pathname });
    await page.close();
  });

  it("a stopped pipeline: every operator turns FINISHED (grey) with its final count, as in Flink's Web UI", async () => {
    const page = await h.newPage();
    await page.setViewportSize({ width: 1440, height: 1100 });
    await page.evaluate(() => localStorage.setItem('rxflink-devtools', 'open'));
    await rx(page).start(false);
    await page.waitForFunction(
      () =>
        document.querySelector('rxflink-devtools')!.shadowRoot!.querySelectorAll('table.checkpoints tbody tr').length >=
        2,
      undefined,
      { timeout: 20_000 },
    );
    await page.evaluate(() => (window as unknown as { __rx: typeof api }).__rx.stop());
    await page.waitForFunction(
      () =>
        [...document.querySelector('rxflink-devtools')!.shadowRoot!.querySelectorAll('svg .node')].every(
          (n) => n.getAttribute('data-level') === 'FINISHED',
        ),
      undefined,
      { timeout: 10_000 },
    );
    expect(await cell(page, 'web clicks#1', 'Backpressure')).toBe('FINISHED');
    const finalCount = count(await cell(page, 'clicks per page', 'In'));
    expect(finalCount).toBeGreaterThan(0);
    await page.waitForTimeout(1_000);
    expect(count(await cell(page, 'clicks per page', 'In'))).toBe(finalCount); // final: nothing more counted
    const detail = await page.locator('rxflink-devtools svg .node[data-id="clicks per page"] .detail').textContent();
    expect(detail).toMatch(/^FINISHED · /);
    await page.screenshot({ path: new URL('./devtools-finished.png', SCREENSHOT).pathname });
    await page.close();
  });

  it('remembers open and closed across a reload', async () => {
    const page = await h.newPage();
    await page.evaluate(() => localStorage.clear());
    await rx(page).start(false);
    const isOpen = () => page.evaluate(() => (window as unknown as { __rx: typeof api }).__rx.isOpen());
    await expect(isOpen()).resolves.toBe(false);
    await page.locator('rxflink-devtools .toggle').click();
    await reload(page);
    await rx(page).start(false);
    await expect(isOpen()).resolves.toBe(true);
    await page.locator('rxflink-devtools header .close').click();
    await reload(page);
    await rx(page).start(false);
    await expect(isOpen()).resolves.toBe(false);
    await page.close();
  });
});
