import { describe, expect, it } from 'vitest';
import { firstValueFrom, toArray } from 'rxjs';
import { fromIterable, keyBy, toRecords, withEventTimeBatches, boundedOutOfOrderness } from '../../src/index.js';
import { nodeWorkers } from '../../src/node/index.js';
import {
  defineSegment,
  parallel,
  SegmentNotMovableError,
  SubtaskFailedError,
  type Segment,
} from '../../src/parallel/index.js';
import { events, runHere, runParallel } from './run.js';
import {
  failing,
  hiddenSegment,
  sessionCounts,
  slidingSums,
  timedTotals,
  tumblingCounts,
  type Event,
} from './segments.js';

const input = events(2_000, 40);

describe('parallel: the same results at parallelism 1, 2 and 4 as on one thread', () => {
  const cases: [string, Segment<Event, string, unknown>][] = [
    ['sliding event-time windows, reduce (Flink testSlidingEventTimeWindowsReduce)', slidingSums],
    ['tumbling event-time windows, count (pane path)', tumblingCounts],
    ['event-time session windows, count (merging windows)', sessionCounts],
    ['keyedProcess with keyed state and event-time timers', timedTotals as Segment<Event, string, unknown>],
  ];
  for (const [name, segment] of cases) {
    it(name, async () => {
      const expected = await runHere(segment, input);
      expect(expected.length).toBeGreaterThan(100);
      for (const parallelism of [1, 2, 4]) expect(await runParallel(segment, input, { parallelism })).toEqual(expected);
    }, 240_000); // seven worker start-ups
  }

  it('one credit per channel and a tiny buffer still deliver everything (flow control never loses a batch)', async () => {
    const expected = await runHere(tumblingCounts, input);
    expect(await runParallel(tumblingCounts, input, { parallelism: 2, credits: 1, bufferSize: 10 })).toEqual(expected);
  });
});

describe('parallel: errors', () => {
  it('a function instead of a segment is SegmentNotMovableError, naming the closure', () => {
    const closure = (s: unknown) => s;
    expect(() => parallel(closure as never, { workers: nodeWorkers() })).toThrow(SegmentNotMovableError);
    expect(() => parallel(closure as never, { workers: nodeWorkers() })).toThrow(/closure/);
  });

  it('a segment the module does not export fails the stream with SegmentNotMovableError from the worker', async () => {
    const error = await runParallel(hiddenSegment() as Segment<Event, string, unknown>, input, {
      parallelism: 2,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SubtaskFailedError);
    expect((error as SubtaskFailedError).message).toMatch(/exports no segment named "hidden"/);
    expect(((error as SubtaskFailedError).cause as { code: string }).code).toBe('SEGMENT_NOT_MOVABLE');
  });

  it('a segment defined in a module that does not exist fails with SubtaskFailedError', async () => {
    const ghost = defineSegment<Event, string, Event>('file:///nowhere/ghost.js', 'ghost', (s) => s);
    await expect(runParallel(ghost as Segment<Event, string, unknown>, input, { parallelism: 1 })).rejects.toThrow(
      SubtaskFailedError,
    );
  });

  it('a user function that throws in subtask i fails the stream with SubtaskFailedError naming subtask i', async () => {
    const withBoom = [...input.slice(0, 500), { key: 'boom', n: 1, at: 9_000 }, ...input.slice(500)];
    const error = (await firstValueFrom(
      fromIterable(withBoom, { batchSize: 50 }).pipe(
        withEventTimeBatches({ timestamp: (e: Event) => e.at, watermarks: boundedOutOfOrderness(300) }),
        keyBy((e: Event) => e.key),
        parallel(failing, { workers: nodeWorkers(), parallelism: 4 }),
        toRecords(),
        toArray(),
      ),
    ).catch((e: unknown) => e)) as SubtaskFailedError;
    expect(error).toBeInstanceOf(SubtaskFailedError);
    const { keyGroupOf } = await import('../../src/core/keys.js');
    expect(error.subtask).toBe(Math.floor((keyGroupOf('boom', 128) * 4) / 128));
    expect(error.message).toMatch(/bad event at 9000/);
  });
});
