/**
 * The segment the failover tests run, made to fail on demand: a worker spawned while the environment
 * variable `RXFLINK_TEST_KILL` holds a `KillPlan` fails at its `after`-th record as `how` says (exits,
 * throws, hangs or runs out of memory). Workers copy the environment when they start, so each
 * worker has the plan it was spawned with.
 */
import { isMainThread } from 'node:worker_threads';
import { keyedProcess } from '../../src/keyed/index.js';
import { defineSegment } from '../../src/parallel/index.js';
import { runningTotals, type Event } from './segments.js';

/** How a worker is made to fail. */
export type Kill = 'exit' | 'throw' | 'uncaught' | 'block' | 'oom';

/** A worker's failure: at its `after`-th record (from 1), as `how` says. */
export interface KillPlan {
  readonly how: Kill;
  readonly after: number;
}

/** The environment variable that carries a `KillPlan` to the next worker spawned. */
export const KILL_VARIABLE = 'RXFLINK_TEST_KILL';

const planned = process.env[KILL_VARIABLE];
const plan: KillPlan | undefined = !isMainThread && planned ? (JSON.parse(planned) as KillPlan) : undefined;
let seen = 0;
const hoard: number[][] = [];

function failAsPlanned(at: number): void {
  if (plan === undefined || ++seen !== plan.after) return;
  switch (plan.how) {
    case 'exit':
      process.exit(3);
      break;
    case 'throw':
      throw new Error(`injected failure at ${at}`);
    case 'uncaught':
      // Thrown outside the segment, before the worker reads its next frame: the worker's 'error' event.
      queueMicrotask(() => {
        throw new Error('injected uncaught error');
      });
      return;
    case 'block':
      for (;;); // the event loop never turns again: no heartbeat answers
    case 'oom':
      for (;;) hoard.push(new Array<number>(1_000_000).fill(hoard.length)); // until resourceLimits stops it
  }
}

/** `runningTotals` (the rescale tests' segment), failing as planned. */
export const killableTotals = defineSegment<Event, string, string>(import.meta.url, 'killableTotals', (input) =>
  input.pipe(
    keyedProcess<Event, string, string>(
      {
        ...runningTotals,
        processElement(value, ctx) {
          failAsPlanned(value.at);
          runningTotals.processElement(value, ctx);
        },
      },
      { uid: 'killable-totals' },
    ),
  ),
);
