/**
 * Per-subtask metrics of `parallel` in the pipeline's metrics model (docs/monitoring.md): the stage is
 * one node with a subtask list, named as Flink names subtasks (`name (i/n)`), each with its records,
 * watermarks and time back-pressured.
 */
import { describe, expect, it } from 'vitest';
import { PipelineMetrics } from '../../src/index.js';
import type { OperatorMetrics } from '../../src/core/metrics/types.js';
import { events, stalledPipeline } from './run.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallel: per-subtask metrics', () => {
  it('the parallel node lists its subtasks with records in/out, watermarks and back-pressured time while a slow stage stalls them', async () => {
    const input = events(20_000, 40);
    const metrics = new PipelineMetrics({ job: 'subtasks' });
    const pipeline = stalledPipeline(input, metrics);
    const node = (): OperatorMetrics => metrics.snapshot().operators.find((o) => o.name === 'parallel(failing)')!;
    while (pipeline.requests() < 10) await sleep(20);
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
    pipeline.open();
    await pipeline.done;
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
