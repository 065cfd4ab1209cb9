// Issue 5's browser proof, in real Chromium with real IndexedDB (no fake-indexeddb): a page runs a
// windowed count with the IndexedDB checkpoint backend and an exactlyOnceSink; the test reloads it
// mid-stream again and again (each reload kills the running pipeline, the new page takes the Web
// Lock again and restores from the latest checkpoint), then lets it finish. The union of what was
// committed must equal a run without checkpoints or reloads: every result exactly once.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReloadApi, ReloadProgress } from './entries/reload-entry.js';
import { reload, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ entry: 'test/browser/entries/reload-entry.ts' });
});
afterAll(async () => {
  await h?.close();
});

type Rx = { __rx: ReloadApi };
const progress = (page: Page): Promise<ReloadProgress> =>
  page.evaluate(() => (globalThis as unknown as Rx).__rx.progress());

/**
 * Waits until the page's run satisfies `ready` (or is over: done or failed). The check runs in the
 * page, which holds its input as soon as it passes, so the page is still mid-stream when the reload
 * reaches it, however late this process gets to send it.
 */
async function waitUntil(page: Page, ready: Ready): Promise<void> {
  await page.waitForFunction(
    (r) => {
      const rx = (globalThis as unknown as Rx).__rx;
      const p = rx.progress();
      if (p.done || p.error !== null) return true;
      const reached =
        p.checkpoints >= (r.checkpoints ?? 0) && p.read - p.restoredAt >= (r.read ?? 0) && p.read >= (r.at ?? 0);
      if (reached) rx.hold();
      return reached;
    },
    ready,
    { polling: 2, timeout: 30_000 },
  );
}

/** Checkpoints completed by this page, events it read since it restored, the input position reached: all that are given. */
interface Ready {
  checkpoints?: number;
  read?: number;
  at?: number;
}

/**
 * When to reload, counted from the moment the page (re)loaded: varied, some at once, some late.
 * `thenOnlyUntilParsed`: after this reload, go on as soon as the document is parsed (the entry has
 * run, its pipeline is still opening the backend), so the next reload hits a page taking the lock.
 */
const reloads: { readonly when: string; readonly ready?: Ready; readonly thenOnlyUntilParsed?: boolean }[] = [
  { when: 'after 2 checkpoints', ready: { checkpoints: 2 } },
  { when: 'right after load' },
  { when: 'after 8 checkpoints', ready: { checkpoints: 8 } },
  { when: 'after 1 checkpoint', ready: { checkpoints: 1 }, thenOnlyUntilParsed: true },
  { when: 'while opening the backend' },
  { when: 'after 150 more events read', ready: { read: 150 } },
  { when: 'after 5 checkpoints', ready: { checkpoints: 5 } },
  { when: 'after 12 checkpoints', ready: { checkpoints: 12 } },
  { when: 'at event 1,800', ready: { at: 1_800, checkpoints: 1 } },
  { when: 'right after load' },
  { when: 'at event 2,600', ready: { at: 2_600, checkpoints: 1 } },
];

describe('a checkpointed pipeline in Chromium survives page reloads', () => {
  it('reloaded mid-stream at 11 points, it commits exactly the results of a run without reloads', async () => {
    const page = await h.newPage();
    const EVENT_COUNT = await page.evaluate(() => (globalThis as unknown as Rx).__rx.eventCount);
    const started = Date.now();
    for (const { ready, thenOnlyUntilParsed } of reloads) {
      if (ready !== undefined) await waitUntil(page, ready);
      if (thenOnlyUntilParsed === true) await page.reload({ waitUntil: 'domcontentloaded' });
      else await reload(page);
    }
    await page.waitForFunction(
      () => {
        const p = (globalThis as unknown as Rx).__rx.progress();
        return p.done || p.error !== null;
      },
      undefined,
      { polling: 20, timeout: 60_000 },
    );
    const elapsedMs = Date.now() - started;

    const last = await progress(page);
    const unloaded = await page.evaluate(() => (globalThis as unknown as Rx).__rx.unloaded());
    const committed = await page.evaluate(() => (globalThis as unknown as Rx).__rx.committed());
    const reference = await page.evaluate(() => (globalThis as unknown as Rx).__rx.reference());

    // One more reload once it is done: the page finds the final checkpoint of a finished pipeline,
    // which is not restored (FinishedPipelineError: it would drop every new record as late), and
    // commits nothing new.
    await reload(page);
    await page.waitForFunction(
      () => {
        const p = (globalThis as unknown as Rx).__rx.progress();
        return p.done || p.error !== null;
      },
      undefined,
      { polling: 20, timeout: 30_000 },
    );
    const afterDone = await progress(page);
    const committedAfterDone = await page.evaluate(() => (globalThis as unknown as Rx).__rx.committed());
    await page.close();
    const runs = [...unloaded, last];
    const context = JSON.stringify(
      { elapsedMs, runs: runs.map((r, i) => ({ when: reloads[i]?.when ?? 'last', ...r })), log: h.consoleLog },
      null,
      1,
    );

    expect(last, context).toMatchObject({
      running: true,
      done: true,
      error: null,
      ownership: 'owner',
      read: EVENT_COUNT,
    });
    expect(unloaded, context).toHaveLength(reloads.length);
    // Every page got the Web Lock again (its run did not fail or hang on ownership) and restored the
    // latest checkpoint stored before it, at a position in the middle of the input. A page reloaded
    // right after loading may be unloaded before it got that far.
    let latest = 0;
    for (const [i, run] of runs.entries()) {
      expect(run.error, context).toBeNull();
      if (!run.running) {
        expect(reloads[i]?.ready, context).toBeUndefined();
        continue;
      }
      expect(run.ownership, context).toBe('owner');
      if (i > 0) {
        expect(run.restoredFrom, context).not.toBeNull();
        expect(run.restoredFrom!, context).toBeGreaterThanOrEqual(latest);
        expect(run.restoredAt, context).toBeGreaterThan(0);
        expect(run.restoredAt, context).toBeLessThan(EVENT_COUNT);
      }
      latest = Math.max(latest, run.lastCheckpointId ?? run.restoredFrom ?? 0);
    }
    // The reloads came mid-stream: no page was done when it was unloaded, and most had completed
    // checkpoints of their own (the others were reloaded right after loading, as planned).
    for (const run of unloaded) {
      expect(run.done, context).toBe(false);
      expect(run.read, context).toBeLessThan(EVENT_COUNT);
    }
    const withCheckpoints = unloaded.filter((run) => run.checkpoints >= 1);
    expect(withCheckpoints.length, context).toBeGreaterThanOrEqual(reloads.filter((r) => r.ready !== undefined).length);
    // The reloads were spread over the input, not bunched at its start.
    expect(Math.max(...unloaded.map((run) => run.read)), context).toBeGreaterThan(EVENT_COUNT / 2);

    // Exactly once: the union of the commits equals the run without checkpoints, as multisets.
    const results = Object.values(committed).flat();
    expect(reference.length).toBeGreaterThan(100);
    expect(results.sort(), context).toEqual([...reference].sort());
    expect(afterDone, context).toMatchObject({ done: false, running: false });
    expect(afterDone.error, context).toMatch(
      new RegExp(
        `^FinishedPipelineError: Checkpoint ${last.lastCheckpointId} is the final checkpoint of a finished pipeline`,
      ),
    );
    expect(committedAfterDone, context).toEqual(committed);
    console.log(
      `reload test: ${reloads.length} reloads in ${elapsedMs} ms; at unload ${JSON.stringify(unloaded.map((r) => ({ running: r.running, read: r.read, checkpoints: r.checkpoints, restoredAt: r.restoredAt, waitedForLock: r.waitedForLock })))}; ${Object.keys(committed).length} commits, ${results.length} results`,
    );
  });
});
