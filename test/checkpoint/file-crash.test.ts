// Atomicity under real process death: a child saves checkpoints in a loop and is killed with
// SIGKILL at random moments; every restart must load a whole checkpoint at least as new as the last
// one the child saw acknowledged, without any fallback past a damaged one.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import type { SnapshotError } from '../../src/checkpoint/index.js';
import { fileBackend } from '../../src/node/checkpoint/index.js';

const root = await mkdtemp(join(tmpdir(), 'rxflink-crash-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Runs the save loop from checkpoint `start` and kills it `afterMs` after its first save. */
function runAndKill(directory: string, start: number, afterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/save-loop.ts'), directory, String(start)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acknowledged = start;
    let timer: NodeJS.Timeout | undefined;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        const m = /^saved (\d+)$/.exec(line);
        if (m) acknowledged = Number(m[1]);
      }
      timer ??= setTimeout(() => child.kill('SIGKILL'), afterMs);
    });
    child.on('exit', (_code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(acknowledged);
      else reject(new Error(`save loop exited on its own: ${stderr}`));
    });
  });
}

it('SIGKILL at random points during saves never leaves a checkpoint that cannot be loaded', async () => {
  const directory = join(root, 'kills');
  const delays = fc.sample(fc.integer({ min: 0, max: 120 }), { seed: 5, numRuns: 8 });
  let lastId = 0;
  for (const delay of delays) {
    const acknowledged = await runAndKill(directory, lastId, delay);
    const skipped: SnapshotError[] = [];
    const backend = fileBackend({ directory, pipelineId: 'crash' });
    const restored = await backend.load(undefined, { onSkip: (e) => skipped.push(e) });
    expect(skipped).toEqual([]);
    expect(restored).toBeDefined();
    const id = restored!.checkpointId;
    expect(id).toBeGreaterThanOrEqual(acknowledged);
    const table = restored!.operators.counts!.keyed!.count!;
    expect(table.kind).toBe('full');
    expect(table.keys).toHaveLength(20_000);
    // Keys written by the deltas hold this checkpoint's id; the rest hold the id of the last full one.
    expect(table.values[0]).toBe(id);
    expect(restored!.sources).toEqual({ numbers: id });
    lastId = Math.max(...(await backend.list()).map((i) => i.checkpointId));
    await backend.close();
  }
  expect(lastId).toBeGreaterThan(8);
}, 120_000);
