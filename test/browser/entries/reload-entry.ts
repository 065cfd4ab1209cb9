// Browser side of test/browser/reload.test.ts: on load, the page runs a windowed count with the
// IndexedDB checkpoint backend, restoring from the latest checkpoint, and commits each checkpoint's
// results exactly once into a separate IndexedDB store (`commit-<checkpoint id>`, idempotent by key).
// The test reloads the page mid-stream; the union of the commits must equal a run without
// checkpoints. (No global type: the test casts `globalThis.__rx` to `ReloadApi`, as pipeline.test.ts does.)
import { createStore, entries, set } from 'idb-keyval';
import { pipe } from 'rxjs';
import {
  boundedOutOfOrderness,
  count,
  exactlyOnceSink,
  fromAsyncIterable,
  fromIterable,
  keyBy,
  startCheckpointing,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
  type Key,
  type WindowResult,
} from '../../../src/index.js';
import { openIndexedDbBackend } from '../../../src/idb/index.js';

interface Event {
  readonly user: string;
  readonly at: number;
}

/** 3,000 events over 7 users, 10 ms apart in event time, up to 40 ms out of order (bound: 50 ms). */
const EVENT_COUNT = 3_000;
const events: Event[] = Array.from({ length: EVENT_COUNT }, (_, i) => ({
  user: `u${(i * 7919) % 7}`,
  at: i * 10 - ((i * 31) % 5) * 10,
}));

type Result = WindowResult<Key, number>;
const describeResult = (r: Result): string => `${String(r.key)}@${r.window.start}=${r.value}`;

const PIPELINE_ID = 'reload-counts';
const BATCH_SIZE = 5;
const resultsStore = createStore('results-db', 'results');

/** Counts per user and 1 s event-time window; the uids are only used when checkpointing. */
const countPerUser = (entryUid?: string, windowUid?: string) =>
  pipe(
    withEventTimeBatches({
      timestamp: (e: Event) => e.at,
      watermarks: boundedOutOfOrderness<Event>(50).withPeriod(1),
      ...(entryUid === undefined ? {} : { uid: entryUid }),
    }),
    keyBy((e: Event) => e.user),
    window(tumblingEventTimeWindows(1_000), windowUid === undefined ? {} : { uid: windowUid }).aggregate(count()),
  );

export interface ReloadProgress {
  /** The pipeline runs: the backend is open (Web Lock held) and the latest checkpoint restored. */
  readonly running: boolean;
  /** This page's run: checkpoints it completed, the last one's id. */
  readonly checkpoints: number;
  readonly lastCheckpointId: number | null;
  /** The checkpoint this page restored from (null: fresh start) and the source index it resumed at. */
  readonly restoredFrom: number | null;
  readonly restoredAt: number;
  /** Events read so far (the source's position). */
  readonly read: number;
  /** The pipeline completed and its final checkpoint is stored. */
  readonly done: boolean;
  /** The backend had to wait for the Web Lock (another page still owned the pipeline). */
  readonly waitedForLock: boolean;
  readonly ownership: string | null;
  readonly error: string | null;
}

const state = {
  running: false,
  checkpoints: 0,
  lastCheckpointId: null as number | null,
  restoredFrom: null as number | null,
  restoredAt: 0,
  source: undefined as { readonly position: { index: number } | undefined } | undefined,
  done: false,
  waitedForLock: false,
  ownership: null as string | null,
  error: null as string | null,
};

const describeError = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/**
 * Set by the test once the page reached the point where it is to be reloaded: the input stops there
 * (its next value never comes) until the reload. Without it, a test process starved of CPU could see
 * the condition only after the page had read everything and finished, and reload a finished run.
 */
let held = false;
const never = new Promise<never>(() => undefined);
async function* heldEvents(): AsyncGenerator<Event> {
  for (const event of events) {
    if (held) await never;
    yield event;
  }
}

async function start(): Promise<void> {
  const backend = await openIndexedDbBackend({
    pipelineId: PIPELINE_ID,
    ownership: 'wait',
    onWait: () => {
      state.waitedForLock = true;
    },
    onOwnershipLost: (reason) => {
      state.error ??= `ownership lost: ${reason}`;
    },
  });
  state.ownership = backend.ownership;
  const checkpoints = await startCheckpointing({ backend, interval: 15 });
  state.restoredFrom = checkpoints.restored?.checkpointId ?? null;
  state.restoredAt = checkpoints.position<{ index: number }>('events')?.index ?? 0;
  checkpoints.completed.subscribe((info) => {
    state.checkpoints++;
    state.lastCheckpointId = info.checkpointId;
  });
  const source = fromAsyncIterable(heldEvents(), {
    from: checkpoints.position('events'),
    batchSize: BATCH_SIZE,
    yieldAfterMs: 0,
  });
  state.source = source;
  state.running = true;
  const run = new Promise<void>((resolve, reject) => {
    checkpoints
      .source('events', source)
      .pipe(
        countPerUser('entry', 'counts'),
        exactlyOnceSink<Result, Key>(
          (results, checkpointId) => set(`commit-${checkpointId}`, results.map(describeResult), resultsStore),
          { uid: 'sink' },
        ),
        toValues(),
      )
      .subscribe({ error: reject, complete: () => resolve() });
  });
  await Promise.all([run, checkpoints.whenFinished()]);
  state.done = true;
  await checkpoints.close(); // releases the Web Lock
}

function progress(): ReloadProgress {
  const { source: _source, ...rest } = state;
  return { ...rest, read: state.source?.position?.index ?? state.restoredAt };
}

// What each page (each run) had done when it was unloaded, kept across reloads in sessionStorage.
const HISTORY_KEY = 'rxflink-reload-history';
const history = (): ReloadProgress[] => JSON.parse(sessionStorage.getItem(HISTORY_KEY) ?? '[]') as ReloadProgress[];
addEventListener('pagehide', () => sessionStorage.setItem(HISTORY_KEY, JSON.stringify([...history(), progress()])));

const api = {
  eventCount: EVENT_COUNT,
  progress,
  /** Stops the input where it is, until the page is reloaded (see `held`). */
  hold(): void {
    held = true;
  },
  /** The progress of every earlier page of this tab at the moment it was unloaded, oldest first. */
  unloaded: history,
  /** Every committed transaction, by key (`commit-<checkpoint id>`). */
  async committed(): Promise<Record<string, string[]>> {
    const stored = await entries<string, string[]>(resultsStore);
    return Object.fromEntries(stored);
  },
  /** The same count without checkpoints or IndexedDB: a plain subscribe. */
  reference(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const results: string[] = [];
      fromIterable(events, { batchSize: BATCH_SIZE })
        .pipe(countPerUser(), toValues())
        .subscribe({
          next: (r) => results.push(describeResult(r)),
          error: reject,
          complete: () => resolve(results),
        });
    });
  },
};

export type ReloadApi = typeof api;
// `globalThis`, not `window`: rxflink's `window` operator is imported here.
(globalThis as unknown as { __rx: ReloadApi }).__rx = api;

start().catch((error: unknown) => {
  state.error = describeError(error);
  console.error(state.error);
});
