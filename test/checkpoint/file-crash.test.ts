// Atomicity under real process death: a child saves checkpoints in a loop and is killed with
// SIGKILL at random moments; every restart must load a whole checkpoint at least as new as the last
// one the child saw acknowledged, without any fallback past a damaged one.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { SNAPSHOT_FORMAT_VERSION, type SnapshotError } from '../../src/checkpoint/index.js';
import { fileBackend } from '../../src/node/checkpoint/index.js';

const root = await mkdtemp(join(tmpdir(), 'rxflink-crash-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Runs the save loop from checkpoint `start` and kills it `afterMs` after its first save. */
function runAndKill(directory: string, start: number, afterMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures/save-loop.ts'), directory, String(start)],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
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

it('refuses a second live writing process, and takes over the directory once it is killed', async () => {
  const directory = join(root, 'owner');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'fixtures/save-loop.ts'), directory, '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const backend = fileBackend({ directory, pipelineId: 'crash', keep: 100 });
  // A snapshot of our own: loading the live directory here would race with the owner, which deletes
  // old checkpoints as it saves new ones.
  const own = {
    formatVersion: SNAPSHOT_FORMAT_VERSION,
    pipelineId: 'crash',
    checkpointId: 1_000_000,
    kind: 'checkpoint' as const,
    createdAt: 0,
    operators: {},
    sources: {},
    watermarks: {},
  };
  const refused = await backend.save(own).catch((e: unknown) => e);
  expect(refused).toMatchObject({ failure: 'not-owner', code: 'STORAGE_NOT_OWNER' });
  expect((refused as Error).message).toMatch(new RegExp(`process ${child.pid} on .* owns this pipeline's directory`));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  const before = (await backend.list()).map((i) => i.checkpointId);
  await backend.save({ ...(await backend.load())!, checkpointId: 1_000_000 });
  // Nothing the killed owner stored is lost from the list (no stale manifest was written).
  expect((await backend.list()).map((i) => i.checkpointId)).toEqual([...before, 1_000_000]);
  expect((await backend.load())?.checkpointId).toBe(1_000_000);
  await backend.close();
}, 60_000);

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
