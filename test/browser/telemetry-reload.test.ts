// The telemetry app survives reloads mid-stream with every window's count exact: a seeded generator
// (a pure function of the event index) and a fast clock make the input deterministic, so the results
// committed across several reloads must equal, as multisets, the same pipelines run in the page over
// the same events without checkpoints or reloads. Real interaction events are off here (`ui=off`):
// a push input cannot replay what it had not emitted before a reload, by design (at most once).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appState, startTelemetryApp, waitForApp, type TelemetryApp } from './telemetry-app.js';

let app: TelemetryApp;
beforeAll(async () => {
  app = await startTelemetryApp();
});
afterAll(async () => {
  await app?.close();
});

type Results = { windows: unknown[]; sessions: unknown[] };
type Api = {
  __telemetry: {
    state(): {
      pipelineStatus: { phase: string; checkpointsCompleted: number };
      app: { read: number; finished: boolean };
    };
    committed(): Promise<Results>;
    reference(): Promise<Results>;
  };
};

const EVENTS = 2_500;

async function waitFor(
  page: Page,
  what: string,
  ready: { read?: number; checkpoints?: number; phase?: string },
): Promise<void> {
  await page
    .waitForFunction(
      (r) => {
        const { pipelineStatus: s, app: a } = (globalThis as unknown as Api).__telemetry.state();
        // 'finished' here: every pipeline of the page (areas and sessions), not only the one the status slice follows.
        const phase = s.phase === 'finished' && !a.finished ? 'running' : s.phase;
        return (
          s.phase === 'failed' ||
          ((r.phase === undefined || phase === r.phase) &&
            a.read >= (r.read ?? 0) &&
            s.checkpointsCompleted >= (r.checkpoints ?? 0))
        );
      },
      ready,
      { polling: 20, timeout: 60_000 },
    )
    .catch(async (e: unknown) => {
      throw new Error(
        `waiting for ${what}: ${String(e)}\n${JSON.stringify({ state: (await appState(page)).pipelineStatus, log: app.consoleLog })}`,
      );
    });
}

const sorted = (values: unknown[]) => values.map((v) => JSON.stringify(v)).sort();

describe('the telemetry app across reloads', () => {
  it('reloaded mid-stream three times, it commits exactly the windows and sessions of a run without reloads', async () => {
    const page = await app.open({
      id: `reload-${Date.now()}`,
      seed: 7,
      t0: 1_700_000_000_000,
      speed: 30,
      events: EVENTS,
      ui: 'off',
      disorder: 0.1,
    });
    const atReload: unknown[] = [];
    for (const ready of [{ checkpoints: 2 }, { read: 1_200, checkpoints: 1 }, { read: 1_700, checkpoints: 1 }]) {
      await waitFor(page, JSON.stringify(ready), ready);
      const { pipelineStatus, app: counters } = await appState(page);
      atReload.push({ ...pipelineStatus, read: counters.read });
      await page.reload();
      await waitForApp(page);
    }
    await waitFor(page, 'the end of the input', { phase: 'finished' });
    const { pipelineStatus, app: counters } = await appState(page);
    const last = { ...pipelineStatus, read: counters.read };
    const committed = await page.evaluate(() => (globalThis as unknown as Api).__telemetry.committed());
    const reference = await page.evaluate(() => (globalThis as unknown as Api).__telemetry.reference());
    const context = JSON.stringify({ atReload, last, log: app.consoleLog }, null, 1);

    expect(last, context).toMatchObject({ phase: 'finished', error: null, read: EVENTS });
    // Each reload came mid-stream, after checkpoints, and the next page restored one.
    for (const s of atReload as { read: number; phase: string }[]) {
      expect(s.phase, context).toBe('running');
      expect(s.read, context).toBeLessThan(EVENTS);
    }
    expect((last as { restoredFrom: number | null }).restoredFrom, context).not.toBeNull();
    expect(reference.windows.length, context).toBeGreaterThan(90);
    expect(reference.sessions.length, context).toBeGreaterThan(10);
    expect(sorted(committed.windows), context).toEqual(sorted(reference.windows));
    expect(sorted(committed.sessions), context).toEqual(sorted(reference.sessions));
    // The store the charts read holds each window once (late re-firings upserted), as committed.
    const state = await appState(page);
    const finalCounts = new Map<string, number>();
    for (const w of reference.windows as { area: string; start: number; count: number }[])
      finalCounts.set(`${w.area}@${w.start}`, w.count);
    expect(
      Object.fromEntries(Object.values(state.windows.entities).map((w) => [`${w.key}@${w.start}`, w.value.count])),
      context,
    ).toEqual(Object.fromEntries(finalCounts));
    // Under composite ids of key and window (rxflink/redux's windowResultId), one entity per window.
    expect(state.windows.ids.length, context).toBe(finalCounts.size);
    await page.close();
  });
});
