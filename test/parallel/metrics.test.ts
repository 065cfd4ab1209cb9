/**
 * Per-subtask metrics of `parallel` in the pipeline's metrics model (docs/monitoring.md): the stage is
 * one node with a subtask list, named as Flink names subtasks (`name (i/n)`), each with its records,
 * watermarks and time back-pressured.
 */
import { describe, expect, it } from 'vitest';
import {
  asyncMap,
  boundedOutOfOrderness,
  fromIterable,
  keyBy,
  PipelineMetrics,
  toValues,
  withEventTimeBatches,
  withMetrics,
} from '../../src/index.js';
import type { OperatorMetrics } from '../../src/core/metrics/types.js';
import { nodeWorkers } from '../../src/node/index.js';
import { parallel } from '../../src/parallel/index.js';
import { events } from './run.js';
import { failing, type Event } from './segments.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallel: per-subtask metrics', () => {
  it('the parallel node lists its subtasks with records in/out, watermarks and back-pressured time while a slow stage stalls them', async () => {
    const input = events(20_000, 40);
    const metrics = new PipelineMetrics({ job: 'subtasks' });
    let requests = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const done = new Promise<void>((resolve, reject) =>
      fromIterable(input, { batchSize: 100 })
        .pipe(
          withMetrics(metrics, { name: 'events' }),
          withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(300) }),
          keyBy((e: Event) => e.key),
          parallel(failing, { workers: nodeWorkers(), parallelism: 2, credits: 2, bufferSize: 500 }),
          asyncMap(
            (e: Event) => {
              requests++;
              return gate.then(() => e);
            },
            { concurrency: 10, bufferSize: 100 },
          ),
          toValues(),
        )
        .subscribe({ error: reject, complete: () => resolve() }),
    );
    const node = (): OperatorMetrics => metrics.snapshot().operators.find((o) => o.name === 'parallel(failing)')!;
    while (requests < 10) await sleep(20);
    metrics.snapshot(); // rates from here
    await sleep(1_500); // stalled: the channels wait for credits with records queued
    const stalled = node();
    expect(stalled.subtasks!.map((s) => s.name)).toEqual(['failing (1/2)', 'failing (2/2)']);
    expect(stalled.subtasks!.map((s) => s.id)).toEqual([`${stalled.id}[0]`, `${stalled.id}[1]`]);
    // Some channel waits for credits for most of the interval.
    expect(Math.max(...stalled.subtasks!.map((s) => s.backPressuredTimeMsPerSecond))).toBeGreaterThan(500);
    for (const s of stalled.subtasks!) {
      expect(s.numRecordsIn).toBeGreaterThan(0);
      expect(s.currentInputWatermark).not.toBeNull();
      expect(s.numRecordsOut).toBeLessThanOrEqual(s.numRecordsIn);
    }
    open();
    await done;
    const final = node();
    const subtasks = final.subtasks!;
    expect(subtasks.reduce((n, s) => n + s.numRecordsIn, 0)).toBe(input.length);
    expect(subtasks.reduce((n, s) => n + s.numRecordsOut, 0)).toBe(input.length);
    expect(final.numRecordsIn).toBe(input.length);
    expect(final.numRecordsOut).toBe(input.length);
    // Each subtask's records are those of the keys of its key groups: neither is empty.
    for (const s of subtasks) expect(s.numRecordsIn).toBeGreaterThan(0);
    expect(metrics.snapshot().edges.some((e) => e.to === final.id)).toBe(true);
  }, 120_000);
});
