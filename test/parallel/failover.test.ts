/**
 * Failover of a parallel pipeline (Flink's full restart from the last completed checkpoint, with a
 * restart strategy): workers that exit, throw, hang or run out of memory mid-stream; the committed
 * results of an exactly-once sink equal those of a run without failures.
 */
import { describe, expect, it } from 'vitest';
import { memoryBackend } from '../../src/index.js';
import { fixedDelayRestart, noRestart, RestartsExhaustedError, SubtaskFailedError } from '../../src/parallel/index.js';
import { committed, runWithKills, shareOf, type PlannedKill } from './failover-run.js';
import type { Kill } from './failover-segments.js';
import type { Event } from './segments.js';

/** A random integer in [0, n), from a seeded generator (mulberry32): the same kills on every run. */
function seeded(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
  };
}

/** 2,000 events over 40 keys, out of order by up to 300 ms, the same on every run. */
const input: Event[] = (() => {
  const random = seeded(7);
  return Array.from({ length: 2_000 }, (_, i) => ({
    key: `k${random(40)}`,
    n: 1 + random(5),
    at: i * 37 + random(300),
  }));
})();

let expected: string[] | undefined;
/** The committed results of a run without failures (computed once). */
async function withoutFailures(): Promise<string[]> {
  if (expected === undefined) {
    const once = await runWithKills(memoryBackend({ pipelineId: 'once' }), input, noRestart(), () => undefined);
    expect(once.error).toBeUndefined();
    expected = committed(once);
    expect(expected.length).toBeGreaterThan(input.length); // a total per record, and timers
  }
  return expected;
}

describe('parallel failover: restart from the last completed checkpoint', () => {
  it('workers killed at 20 random points mid-stream (exit, throw in the segment, uncaught error): committed results equal a run without failures', async () => {
    const reference = await withoutFailures();
    const kinds: Kill[] = ['exit', 'throw', 'uncaught'];
    const random = seeded(20261201);
    const kills: PlannedKill[] = [];
    const result = await runWithKills(
      memoryBackend({ pipelineId: 'killed' }),
      input,
      fixedDelayRestart({ attempts: 20, delay: 0 }),
      (run, rest) => {
        if (run >= 20) return undefined;
        const subtask = random(2);
        // At a random record of those the subtask has left: always mid-stream.
        const kill = { subtask, after: 1 + random(shareOf(rest, subtask)), how: kinds[run % 3]! };
        kills.push(kill);
        return kill;
      },
    );
    expect(result.error).toBeUndefined();
    expect(result.restarts).toBe(20);
    expect(kills).toHaveLength(20);
    expect(new Set(kills.map((k) => k.subtask)).size).toBe(2);
    expect(committed(result)).toEqual(reference);
  }, 600_000);

  it('a worker whose event loop blocks stops answering heartbeats: its subtask fails after heartbeatTimeout, and the restart commits the same results', async () => {
    const reference = await withoutFailures();
    const causes: unknown[] = [];
    const result = await runWithKills(
      memoryBackend({ pipelineId: 'blocked' }),
      input,
      fixedDelayRestart({ attempts: 1, delay: 0 }),
      (run, rest) => (run === 0 ? { subtask: 1, after: shareOf(rest, 1) >> 1, how: 'block' } : undefined),
      { parallel: { heartbeatInterval: 100, heartbeatTimeout: 1_500 }, onRestart: (_, cause) => causes.push(cause) },
    );
    expect(result.error).toBeUndefined();
    expect(causes).toHaveLength(1);
    expect(causes[0]).toBeInstanceOf(SubtaskFailedError);
    expect((causes[0] as SubtaskFailedError).subtask).toBe(1);
    expect((causes[0] as Error).message).toMatch(/no heartbeat for \d+ ms \(heartbeatTimeout 1500 ms\)/);
    expect(committed(result)).toEqual(reference);
  }, 300_000);

  it('a worker over its resourceLimits heap runs out of memory: ERR_WORKER_OUT_OF_MEMORY fails its subtask, and the restart commits the same results', async () => {
    const reference = await withoutFailures();
    const causes: unknown[] = [];
    const result = await runWithKills(
      memoryBackend({ pipelineId: 'oom' }),
      input,
      fixedDelayRestart({ attempts: 1, delay: 0 }),
      (run, rest) => (run === 0 ? { subtask: 0, after: shareOf(rest, 0) >> 2, how: 'oom' } : undefined),
      { workers: { resourceLimits: { maxOldGenerationSizeMb: 128 } }, onRestart: (_, cause) => causes.push(cause) },
    );
    expect(result.error).toBeUndefined();
    expect(causes).toHaveLength(1);
    expect(causes[0]).toBeInstanceOf(SubtaskFailedError);
    expect((causes[0] as SubtaskFailedError).subtask).toBe(0);
    expect(((causes[0] as Error).cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    expect(committed(result)).toEqual(reference);
  }, 300_000);

  it('a strategy that gives up fails the stream with RestartsExhaustedError naming the segment, the subtask and the last cause, counting restarts', async () => {
    const result = await runWithKills(
      memoryBackend({ pipelineId: 'gives-up' }),
      input,
      fixedDelayRestart({ attempts: 2, delay: 10 }),
      (_, rest) => ({ subtask: 1, after: shareOf(rest, 1) >> 1, how: 'exit' }),
    );
    expect(result.error).toBeInstanceOf(RestartsExhaustedError);
    const error = result.error as RestartsExhaustedError;
    expect(error.restarts).toBe(2);
    expect(result.restarts).toBe(2);
    expect(error.segment).toBe('killableTotals');
    expect(error.subtask).toBe(1);
    expect(error.cause).toBeInstanceOf(SubtaskFailedError);
    expect(error.message).toMatch(
      /fixed-delay \(attempts 2, delay 10 ms\) gave up after 2 restart\(s\); the last failure \(subtask 1 of segment "killableTotals"\): SubtaskFailedError: .*exited with code 3/,
    );
  }, 300_000);
});
