/**
 * Credits joined with the pulled sources' demand: a slow stage behind the workers stops the source
 * (docs/parallel.md, docs/architecture.md §5).
 */
import { describe, expect, it } from 'vitest';
import { events, stalledPipeline } from './run.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallel: backpressure', () => {
  it('a stalled async stage after parallel stops the pulled source; releasing it delivers everything', async () => {
    const input = events(50_000, 40);
    const pipeline = stalledPipeline(input);
    while (pipeline.requests() < 10) await sleep(20); // the workers started and the async stage is stalled
    await sleep(2_000); // its buffer, the credits and the stage's queue fill up
    const readWhileStalled = pipeline.read();
    await sleep(1_000);
    expect(pipeline.read()).toBe(readWhileStalled); // the source is paused
    expect(pipeline.read()).toBeLessThan(10_000); // bounded: buffers and credits, not the whole input
    pipeline.open();
    await pipeline.done;
    expect(pipeline.results()).toBe(input.length);
  });
});
