/**
 * rxflink/redux: 10,000 window results per second into a Redux store with a React-free subscriber
 * (`npm run bench -- redux`). Three seconds of results run on a VirtualTimeScheduler (processing time
 * is virtual, CPU time is real): 100 keys, results spread evenly over each millisecond. Compared:
 *   - baseline: one dispatch per result (what the glue code did), the store's default enhancers;
 *   - dispatchResults: one action per 16 ms frame (at most 1000 results each), tagged for
 *     autoBatchEnhancer, whose notifications are queued on the same virtual frames.
 * Reported: dispatches, subscriber notifications, and CPU time in reducers and in total, each with
 * its ratio to the baseline of the same run.
 */
import { configureStore, type Reducer, type UnknownAction } from '@reduxjs/toolkit';
import { Observable, VirtualTimeScheduler } from 'rxjs';
import {
  createWindowResultsSlice,
  dispatchResults,
  type WindowResultInput,
  type WindowResultsState,
} from '../src/redux/index.js';
import { median } from './lib.js';

const PER_SECOND = 10_000;
const SECONDS = 3;
const KEYS = 100;
const FRAME_MS = 16;

interface Figures {
  dispatches: number;
  notifications: number;
  reducerMs: number;
  totalMs: number;
  stored: number;
}

/** Results at PER_SECOND for SECONDS of virtual time: 10 per ms, one-second windows. */
function results$(scheduler: VirtualTimeScheduler): Observable<WindowResultInput<string, number>> {
  return new Observable((subscriber) => {
    const perMs = PER_SECOND / 1000;
    let n = 0;
    for (let ms = 0; ms < SECONDS * 1000; ms++) {
      scheduler.schedule(() => {
        for (let i = 0; i < perMs; i++, n++) {
          const second = Math.floor(ms / 1000);
          subscriber.next({
            key: `area-${n % KEYS}`,
            window: { start: second * 1000, end: second * 1000 + 1000 },
            value: n,
          });
        }
      }, ms);
    }
    scheduler.schedule(() => subscriber.complete(), SECONDS * 1000);
  });
}

function run(batched: boolean): Figures {
  const scheduler = new VirtualTimeScheduler();
  const slice = createWindowResultsSlice<string, number>({ name: 'results', retention: 5_000 });
  let reducerMs = 0;
  const timed: Reducer<WindowResultsState<string, number>, UnknownAction> = (state, action) => {
    const start = performance.now();
    const next = slice.reducer(state, action);
    reducerMs += performance.now() - start;
    return next;
  };
  let dispatches = 0;
  let notifications = 0;
  const store = configureStore({
    reducer: { results: timed },
    middleware: (d) => d({ serializableCheck: false, immutableCheck: false }),
    enhancers: (d) =>
      d({ autoBatch: { type: 'callback', queueNotification: (notify) => scheduler.schedule(notify, FRAME_MS) } }),
  });
  const dispatch = (action: UnknownAction) => {
    dispatches++;
    return store.dispatch(action);
  };
  // The React-free subscriber: reads what a view would show.
  store.subscribe(() => {
    notifications++;
    slice.selectors.selectLatestPerKey(store.getState());
  });
  const start = performance.now();
  if (batched) {
    results$(scheduler)
      .pipe(
        dispatchResults(dispatch as never, {
          action: slice.actions.resultsReceived,
          bufferSize: 50_000,
          overflow: 'error',
          maxPerAction: 1000,
          interval: FRAME_MS,
          scheduler,
        }),
      )
      .subscribe();
  } else {
    // Untagged, as glue code dispatches: every dispatch notifies the subscriber at once.
    results$(scheduler).subscribe((r) => dispatch({ type: 'results/resultsReceived', payload: [r] }));
  }
  scheduler.flush();
  const totalMs = performance.now() - start;
  return { dispatches, notifications, reducerMs, totalMs, stored: slice.selectors.selectAll(store.getState()).length };
}

/** Runs both cases 3 times (interleaved, after a warm-up) and prints medians and ratios. */
export function runReduxBench(): void {
  run(false);
  run(true);
  const rounds: Record<'perResult' | 'batched', Figures[]> = { perResult: [], batched: [] };
  for (let r = 0; r < 3; r++) {
    rounds.perResult.push(run(false));
    rounds.batched.push(run(true));
  }
  const med = (f: Figures[], k: keyof Figures) => median(f.map((x) => x[k]));
  const base = rounds.perResult;
  console.log(`${PER_SECOND} results/s for ${SECONDS} s (${PER_SECOND * SECONDS} results, ${KEYS} keys), medians of 3`);
  for (const [name, f] of [
    ['one dispatch per result (baseline)', base],
    [`dispatchResults, one action per ${FRAME_MS} ms frame`, rounds.batched],
  ] as const) {
    console.log(
      `  ${name.padEnd(44)} dispatches ${String(med(f, 'dispatches')).padStart(7)} (x${(med(f, 'dispatches') / med(base, 'dispatches')).toFixed(4)})` +
        `  notifications ${String(med(f, 'notifications')).padStart(7)}` +
        `  reducers ${med(f, 'reducerMs').toFixed(0).padStart(6)} ms (x${(med(f, 'reducerMs') / med(base, 'reducerMs')).toFixed(3)})` +
        `  total ${med(f, 'totalMs').toFixed(0).padStart(6)} ms (x${(med(f, 'totalMs') / med(base, 'totalMs')).toFixed(3)})` +
        `  stored ${med(f, 'stored')}`,
    );
  }
}
