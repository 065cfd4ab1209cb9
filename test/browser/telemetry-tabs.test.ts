// The telemetry app in two tabs of one browser profile: one tab owns the pipelines' state (Web
// Lock); the second waits, says so on the page, and takes over from the first's latest checkpoint
// when the first tab closes, with the charts continuing from the committed results.
import type { Page } from 'playwright-core';
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
  __telemetry: {
    state(): {
      pipelineStatus: { phase: string; checkpointsCompleted: number };
      app: { waiting: boolean };
      windows: { ids: string[] };
    };
  };
};

async function waitFor(
  page: Page,
  what: string,
  ready: { phase: string; checkpoints?: number; windows?: number },
): Promise<void> {
  await page
    .waitForFunction(
      (r) => {
        const s = (globalThis as unknown as Api).__telemetry.state();
        const phase = s.app.waiting && s.pipelineStatus.phase === 'starting' ? 'waiting' : s.pipelineStatus.phase;
        return (
          phase === r.phase &&
          s.pipelineStatus.checkpointsCompleted >= (r.checkpoints ?? 0) &&
          s.windows.ids.length >= (r.windows ?? 0)
        );
      },
      ready,
      { polling: 50, timeout: 30_000 },
    )
    .catch(async (e: unknown) => {
      throw new Error(
        `waiting for ${what}: ${String(e)}\n${JSON.stringify({ state: (await appState(page)).pipelineStatus, log: app.consoleLog })}`,
      );
    });
}

describe('the telemetry app in two tabs', () => {
  it('the second tab waits for the Web Lock, then takes over from the latest checkpoint when the first closes', async () => {
    const params = { id: `tabs-${Date.now()}`, seed: 11, speed: 10, ui: 'off' };
    const first = await app.open(params);
    await waitFor(first, 'the first tab to run', { phase: 'running', checkpoints: 2, windows: 8 });

    const second = await app.open(params);
    await waitFor(second, 'the second tab to wait', { phase: 'waiting' });
    expect(await second.textContent('#status')).toMatch(/^waiting — another tab owns this pipeline/);
    await second.waitForTimeout(1_500);
    expect((await appState(second)).app.waiting).toBe(true); // still: the first tab holds the lock
    expect((await appState(second)).pipelineStatus.phase).toBe('starting');
    expect((await appState(first)).pipelineStatus).toMatchObject({ phase: 'running', owner: 'this-tab', error: null });

    const before = await appState(first);
    await first.close(); // releases the Web Locks
    await waitFor(second, 'the second tab to take over', { phase: 'running', checkpoints: 1 });
    const after = await appState(second);
    const context = JSON.stringify({ before: before.pipelineStatus, after: after.pipelineStatus, log: app.consoleLog });
    expect(after.pipelineStatus.owner, context).toBe('this-tab');
    expect(after.app.waiting, context).toBe(false);
    expect(after.pipelineStatus.error, context).toBeNull();
    expect(after.pipelineStatus.restoredFrom, context).toBeGreaterThanOrEqual(before.pipelineStatus.lastCheckpoint!.id);
    // The charts continue: every window the first tab had committed is in the second tab's store.
    expect(after.windows.ids, context).toEqual(expect.arrayContaining(before.windows.ids));
    await waitFor(second, 'new windows in the second tab', { phase: 'running', windows: after.windows.ids.length + 4 });
    await second.close();
  });
});
