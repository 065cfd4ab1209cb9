/**
 * The shipped package runs a parallel pipeline from dist/ alone: the worker bootstrap is among
 * rollup's outputs beside `nodeWorkers`, and no TypeScript loader is involved. Builds dist/ first
 * when it is missing (a fresh clone running `npm test`); CI builds before the tests.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { events, runHere } from './run.js';
import { tumblingCounts } from './segments.js';

const dist = new URL('../../dist/', import.meta.url);

describe('parallel from dist/', () => {
  beforeAll(() => {
    if (existsSync(new URL('node/parallel/subtask-worker.js', dist))) return;
    execFileSync(process.execPath, ['node_modules/rollup/dist/bin/rollup', '-c'], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      stdio: 'ignore',
    });
  }, 300_000);

  it('runs a segment in two workers with the built bootstrap, with the results of one thread', async () => {
    expect(existsSync(new URL('node/parallel/subtask-worker.js', dist)), 'run `npm run build` first').toBe(true);
    const lib = await import(new URL('index.js', dist).href);
    const { parallel } = await import(new URL('parallel.js', dist).href);
    const { nodeWorkers } = await import(new URL('node.js', dist).href);
    const { distCounts } = await import(new URL('./fixtures/dist-segment.mjs', import.meta.url).href);
    const input = events(1_000, 20);
    const records = await firstValueFrom(
      lib.fromIterable(input, { batchSize: 50 }).pipe(
        lib.withEventTimeBatches({
          timestamp: (e: { at: number }) => e.at,
          watermarks: lib.boundedOutOfOrderness(300),
        }),
        lib.keyBy((e: { key: string }) => e.key),
        parallel(distCounts, { workers: nodeWorkers({ typescript: false }), parallelism: 2 }),
        lib.toRecords(),
        toArray(),
      ),
    );
    const actual = (records as { timestamp: number; value: unknown }[])
      .map((r) => `${r.timestamp} ${JSON.stringify(r.value)}`)
      .sort();
    expect(actual).toEqual(await runHere(tumblingCounts, input));
  });
});
