// Issue 14 (metrics per subtask) in issue 13's devtools panel, in real Chromium: a `parallel` stage
// on two Web Workers shows one row and one watermark lane per subtask, named as Flink's Web UI names
// subtasks (`totals (1/2)`), with the records each received and sent back (the hits of the key groups
// it owns), its backpressure level and its watermark, and a strip per subtask on the stage's box; a
// slow subtask turns HIGH on its own. Writes test/browser/screenshots/devtools-parallel.png and
// devtools-parallel-skewed.png for a person to look at.
import { mkdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerSite, waitForEntry, type WorkerSite } from './harness.js';
import type { api } from './entries/parallel-devtools-entry.js';

const SCREENSHOT = new URL('./screenshots/devtools-parallel.png', import.meta.url);

let site: WorkerSite;
beforeAll(async () => {
  site = await startWorkerSite(
    'test/browser/entries/parallel-devtools-entry.ts',
    'test/browser/entries/parallel-devtools-worker.ts',
  );
}, 60_000);
afterAll(() => site?.close());

/** The operator table's rows, by their key (the metrics id), as header → cell text. */
const tableRows = () => {
  const root = document.querySelector('rxflink-devtools')!.shadowRoot!;
  const headers = [...root.querySelectorAll('table.operators th')].map((th) => th.textContent!);
  return [...root.querySelectorAll<HTMLTableRowElement>('table.operators tbody tr')].map((tr) => ({
    key: tr.dataset.key!,
    className: tr.className,
    cells: Object.fromEntries([...tr.cells].map((td, i) => [headers[i]!, td.textContent!])),
  }));
};

describe('devtools: per-subtask metrics of a parallel stage (Chromium)', () => {
  it('one row and one watermark lane per subtask, with its records in and out, backpressure and watermark', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1440, height: 1600 } });
    const log: string[] = [];
    page.on('pageerror', (e) => log.push(e.message));
    await page.goto(site.url);
    await waitForEntry(page);
    const expected = await page.evaluate(() =>
      (window as unknown as { __rx: typeof api }).__rx.start({ skewed: false }),
    );
    expect(expected.perSubtask.reduce((a, b) => a + b, 0)).toBe(700);
    expect(Math.min(...expected.perSubtask)).toBeGreaterThan(0); // both subtasks own some keys

    const stage = 'parallel(totals)#1';
    const subtasks = [`${stage}[0]`, `${stage}[1]`];
    // The panel samples every 200 ms: wait until it shows every result back.
    await page.waitForFunction(
      ([id, total]) => {
        const root = document.querySelector('rxflink-devtools')?.shadowRoot;
        return root?.querySelector(`table.operators tr[data-key="${id}"] td:nth-child(6)`)?.textContent === total;
      },
      [stage, '700'] as const,
      { timeout: 20_000 },
    );
    const rows = await page.evaluate(tableRows);
    const keys = rows.map((r) => r.key);
    // The subtasks' rows follow the stage's, in order.
    expect(keys.slice(keys.indexOf(stage), keys.indexOf(stage) + 3)).toEqual([stage, ...subtasks]);
    const time = new Date(expected.watermark).toISOString().slice(11, 19);
    subtasks.forEach((id, i) => {
      const row = rows.find((r) => r.key === id)!;
      expect(row.cells.Operator).toBe(`↳ totals (${i + 1}/2)`);
      expect(row.cells.In).toBe(String(expected.perSubtask[i])); // the hits of its key groups
      expect(row.cells.Out).toBe(String(expected.perSubtask[i])); // one total per hit, sent back
      expect(row.cells.Backpressure).toMatch(/^(OK|LOW|HIGH) \d+%$/);
      expect(row.className).toMatch(/^(ok|low|high) subtask$/);
      expect(row.cells.Watermark).toBe(time); // what it sent back; the stage's input watermark
    });
    // One lane per subtask, under the stage's, and a strip per subtask on the stage's box.
    const lanes = await page.evaluate(() =>
      [...document.querySelector('rxflink-devtools')!.shadowRoot!.querySelectorAll<HTMLElement>('.lane')].map((l) => [
        l.dataset.id,
        l.querySelector('.lane-name')!.textContent,
        l.classList.contains('subtask'),
      ]),
    );
    expect(lanes).toContainEqual([subtasks[0], '↳ totals (1/2)', true]);
    expect(lanes).toContainEqual([subtasks[1], '↳ totals (2/2)', true]);
    const strips = page.locator(`rxflink-devtools svg .node[data-id="${stage}"] rect.subtask`);
    await expect(strips.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-id')))).resolves.toEqual(subtasks);
    await expect(strips.first().getAttribute('data-level')).resolves.toMatch(/^(OK|LOW|HIGH)$/);
    expect(log).toEqual([]);
    await mkdir(new URL('.', SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.pathname });
    await page.close();
  }, 120_000);

  it('a slow subtask (a hot key range) is backpressured on its own: its row and strip turn HIGH, the other stays OK; the stage shows its worst subtask', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1440, height: 1600 } });
    await page.goto(site.url);
    await waitForEntry(page);
    const done = page.evaluate(() => (window as unknown as { __rx: typeof api }).__rx.start({ skewed: true }));
    const stage = 'parallel(skewedTotals)#1';
    // Subtask 0 spends 4 ms per record, about 1.6 s for its share: its channel waits for credits.
    await page.waitForFunction(
      (id) => {
        const root = document.querySelector('rxflink-devtools')?.shadowRoot;
        const level = (i: number) =>
          root
            ?.querySelector(`svg .node[data-id="${id}"] rect.subtask[data-id="${id}[${i}]"]`)
            ?.getAttribute('data-level');
        const row = (i: number) => root?.querySelector(`table.operators tr[data-key="${id}[${i}]"]`)?.className;
        // The stage itself shows its worst subtask's level, as Flink's Web UI shows a vertex.
        const stageLevel = root?.querySelector(`svg .node[data-id="${id}"]`)?.getAttribute('data-level');
        const stageRow = root?.querySelector(`table.operators tr[data-key="${id}"]`)?.className;
        return (
          level(0) === 'HIGH' &&
          level(1) === 'OK' &&
          row(0) === 'high subtask' &&
          row(1) === 'ok subtask' &&
          stageLevel === 'HIGH' &&
          stageRow === 'high'
        );
      },
      stage,
      { timeout: 20_000 },
    );
    await page.screenshot({ path: new URL('./devtools-parallel-skewed.png', SCREENSHOT).pathname });
    const expected = await done; // every result came back: the slow subtask held nothing back for good
    // Its records all arrived in the end: the panel's next samples count them.
    await page.waitForFunction(
      ([id, n]) =>
        document.querySelector('rxflink-devtools')!.shadowRoot!.querySelector(`tr[data-key="${id}"] td:nth-child(6)`)
          ?.textContent === n,
      [`${stage}[0]`, String(expected.perSubtask[0])] as const,
      { timeout: 10_000 },
    );
    await page.close();
  }, 120_000);
});
