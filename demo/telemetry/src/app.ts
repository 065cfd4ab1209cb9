// The running app, without its view: settings from the URL, the two checkpointed pipelines (areas
// and sessions), the real interaction events, page exit, and what the page and the tests read.
import { asyncScheduler, auditTime, fromEvent, merge, map, Observable, Subject, tap } from 'rxjs';
import {
  exactlyOnceSink,
  FinishedPipelineError,
  fromAsyncIterable,
  fromIterable,
  fromPush,
  mergeTimed,
  PipelineMetrics,
  queryableWindows,
  SideOutput,
  startCheckpointing,
  toValues,
  type Checkpointing,
  type StreamBatch,
  type WindowResult,
} from '../../../src/index.js';
import { openIndexedDbBackend, type IndexedDbBackend } from '../../../src/idb/index.js';
import { earlyPanes, watchPageExit, type PageExitReport } from '../../../src/browser/index.js';
import { mountDevtools } from '../../../src/devtools/index.js';
import { fromWebVitals, type VitalUpdate } from '../../../src/web-vitals/index.js';
import {
  createQueryableState,
  dispatchResults,
  pipelineStatusActions,
  pipelineStatusFeed,
} from '../../../src/redux/index.js';
import {
  pacedClock,
  simulatedEvent,
  simulatedTraffic,
  type GeneratorConfig,
  type TelemetryEvent,
} from './generator.js';
import {
  type areaAggregate,
  areaFigures,
  perArea,
  perUser,
  resultStore,
  timed,
  toAreaWindow,
  toSession,
  type Outputs,
} from './pipeline.js';
import {
  areaResult,
  areaWindows,
  countersChanged,
  createAppStore,
  sessionResult,
  userSessions,
  vitalReported,
  type AreaWindow,
  type UserSession,
} from './store.js';

const params = new URLSearchParams(location.search);
const number = (name: string, fallback: number): number => (params.has(name) ? Number(params.get(name)) : fallback);

/** Settings: the pipeline id (tests isolate runs by it), seed, speed, a finite event count, real events on or off. */
export const settings = {
  id: params.get('id') ?? 'telemetry',
  seed: number('seed', 1),
  speed: number('speed', 1),
  events: number('events', Infinity),
  ui: params.get('ui') !== 'off',
};

// The timeline survives reloads: event time t0 at wall time wallStart.
const TIMELINE_KEY = `${settings.id}:timeline`;
const timeline = ((): { t0: number; wallStart: number } => {
  const stored = localStorage.getItem(TIMELINE_KEY);
  if (stored !== null) return JSON.parse(stored) as { t0: number; wallStart: number };
  // `backfill` ms: start that far in the past and catch up at once, then run in real time.
  const wallStart = Date.now() - number('backfill', 0);
  const fresh = { t0: number('t0', wallStart), wallStart };
  localStorage.setItem(TIMELINE_KEY, JSON.stringify(fresh));
  return fresh;
})();

const DISORDER_KEY = `${settings.id}:disorder`;
/** The generator's settings; `disorder` is the page's control (kept across reloads). */
export const generator: { -readonly [K in keyof GeneratorConfig]: GeneratorConfig[K] } = {
  seed: settings.seed,
  t0: timeline.t0,
  disorder: number('disorder', Number(localStorage.getItem(DISORDER_KEY) ?? 0)),
};
export function setDisorder(level: number): void {
  generator.disorder = level;
  localStorage.setItem(DISORDER_KEY, String(level));
}

export const store = createAppStore();
/** Both pipelines' metrics (their coordinators link them), for the devtools panel. */
const metrics = new PipelineMetrics({ job: 'telemetry' });
const outputs: Outputs = { invalid: new SideOutput('invalid events'), late: new SideOutput('late events') };
const areaResults = resultStore<AreaWindow>(settings.id);
const sessionResults = resultStore<UserSession>(`${settings.id}-sessions`);

// Committed results reach the store through rxflink/redux's sink: one action per animation frame,
// at most 1000 results each, from a bounded buffer (what a slow screen cannot take is dropped and counted).
const areasCommitted = new Subject<AreaWindow>();
const sessionsCommitted = new Subject<UserSession>();
areasCommitted
  .pipe(
    map(areaResult),
    dispatchResults(store.dispatch, {
      action: areaWindows.actions.resultsReceived,
      bufferSize: 20_000,
      overflow: 'drop-oldest',
    }),
  )
  .subscribe();
sessionsCommitted
  .pipe(
    map(sessionResult),
    dispatchResults(store.dispatch, {
      action: userSessions.actions.resultsReceived,
      bufferSize: 20_000,
      overflow: 'drop-oldest',
    }),
  )
  .subscribe();
const toStore =
  <T>(committed: Subject<T>) =>
  (values: readonly T[]): void => {
    for (const v of values) committed.next(v);
  };

/** Real interactions: clicks and key presses on the page, with how long the page took to handle them. */
export const interactions = new Subject<TelemetryEvent>();
const areaOf = (target: EventTarget | null): string =>
  target instanceof Element ? (target.closest('[data-area]')?.getAttribute('data-area') ?? 'page') : 'page';

merge(fromEvent<MouseEvent>(document, 'click'), fromEvent<KeyboardEvent>(document, 'keydown'))
  .pipe(
    map(
      (e): TelemetryEvent => ({
        kind: e.type === 'click' ? 'click' : 'key',
        area: `ui:${areaOf(e.target)}`,
        user: 'me',
        at: Math.round(performance.timeOrigin + e.timeStamp),
        latency: Math.max(0, Math.round(performance.now() - e.timeStamp)),
        error: false,
      }),
    ),
  )
  .subscribe(interactions);
// The page's own web vitals (the real library): first reports become events of area 'vitals'
// (updates of a metric are not new events: docs/telemetry.md), the latest value of each is shown.
/** Every web-vitals update this page saw (the tests check their ids, numbers and deltas). */
const vitalUpdates: VitalUpdate[] = [];
fromWebVitals({ reportAllChanges: true }).subscribe({
  next: (v) => {
    vitalUpdates.push(v);
    store.dispatch(vitalReported({ name: v.name, value: v.value }));
    if (v.update === 0 && v.name !== 'CLS')
      interactions.next({
        kind: 'vital',
        area: 'vitals',
        user: 'me',
        at: v.at,
        latency: Math.round(v.value),
        error: false,
      });
  },
  error: (e: unknown) => console.warn('web vitals unavailable', e),
});

/** The area pipeline's watermarks (finite ones: +∞ at the end of a finite input is not shown). */
const watermarks = new Subject<number>();
const watchWatermark = tap((batch: StreamBatch<TelemetryEvent, undefined>) => {
  for (const e of batch)
    if (e.kind === 'watermark' && e.timestamp < Number.MAX_SAFE_INTEGER) watermarks.next(e.timestamp);
});

// The area windows still open, readable through the window operator's queryable view.
// Invalidated on the async scheduler, not per animation frame: a hidden tab gets no frames.
const live = createQueryableState({ scheduler: asyncScheduler });
const OPEN_AREAS = 'open-area-windows';
// On page exit the window operator fires its open windows as early panes (pane.timing 'EARLY'):
// the fire-early control element joins the area pipeline after its entry, and the early results
// are kept apart from the committed ones.
type AreaResult = WindowResult<string, ReturnType<typeof areaAggregate.getResult>>;
const exitControl = new Subject<StreamBatch<TelemetryEvent, undefined>>();
const earlyAreas: AreaResult[] = [];
const openAreaPanes = earlyPanes({ send: (element) => exitControl.next([element]), take: () => earlyAreas.splice(0) });
/** The input, with the exit's control elements in between; completes with the input. */
const withExitControl = (input$: Observable<StreamBatch<TelemetryEvent, undefined>>) =>
  new Observable<StreamBatch<TelemetryEvent, undefined>>((subscriber) => {
    const control = exitControl.subscribe((batch) => subscriber.next(batch));
    const input = input$.subscribe(subscriber);
    return () => {
      control.unsubscribe();
      input.unsubscribe();
    };
  });
/** Takes the early panes out of the results (page exit sends them; the sink commits final results only). */
const keepEarly = map((batch: StreamBatch<AreaResult, string>) =>
  batch.filter((e) => e.kind !== 'record' || e.value.pane.timing !== 'EARLY' || earlyAreas.push(e.value) < 0),
);

/** What each page exit did (the tests read it). */
const exits: PageExitReport[] = [];
/** Results committed since the last page exit: what the exit sends. */
const unsent: AreaWindow[] = [];
let sourcePosition: () => number = () => 0;
const clock = pacedClock(timeline.t0, timeline.wallStart, settings.speed);
const finished: Promise<unknown>[] = [];

/**
 * Opens a pipeline's backend and restores its latest checkpoint. A pipeline over a finite input
 * (`events=`) that already finished is not restored (FinishedPipelineError): its results are all
 * committed, so there is nothing to run (undefined).
 */
async function open(
  pipelineId: string,
): Promise<{ checkpoints: Checkpointing; backend: IndexedDbBackend } | undefined> {
  const backend = await openIndexedDbBackend({
    pipelineId,
    ownership: 'wait',
    onWait: () => store.dispatch(countersChanged({ waiting: true })),
    onOwnershipLost: (reason) => store.dispatch(pipelineStatusActions.failed(new Error(`ownership lost: ${reason}`))),
  });
  try {
    const checkpoints = await startCheckpointing({ backend, interval: 1_000, metrics });
    return { checkpoints, backend };
  } catch (error) {
    if (!(error instanceof FinishedPipelineError)) throw error;
    await backend.close();
    return undefined;
  }
}

/** Starts both pipelines once this tab owns their state (waits while another tab does). */
async function start(): Promise<void> {
  const areas = await open(settings.id);
  const sessions = await open(`${settings.id}-sessions`);
  // Charts continue where they were: everything committed before, then what this page commits.
  toStore(areasCommitted)(await areaResults.all());
  toStore(sessionsCommitted)(await sessionResults.all());
  if (sessions !== undefined) runSessions(sessions.checkpoints);
  // The rxflink devtools, closed until the user opens them: job graph, backpressure, watermarks, checkpoints.
  mountDevtools(metrics, { initialIsOpen: false, ...(areas === undefined ? {} : { stateOwner: areas.backend }) });
  if (areas === undefined) {
    sourcePosition = () => settings.events;
    store.dispatch(countersChanged({ waiting: false }));
    store.dispatch(pipelineStatusActions.started({ restoredFrom: null }));
    store.dispatch(pipelineStatusActions.ownerChanged('this-tab'));
    store.dispatch(pipelineStatusActions.finished());
    return;
  }
  const exit = watchPageExit({
    pipelineId: settings.id,
    url: '/collect',
    checkpoints: areas.checkpoints,
    ownership: () => areas.backend.ownership,
    pending: () => unsent.splice(0),
    earlyPanes: () => openAreaPanes().map((r) => ({ ...r, value: areaFigures(r.value) })),
    onExit: (report) => exits.push(report),
  });
  const drained = await exit.drainOutbox();
  store.dispatch(countersChanged({ waiting: false, outboxDrained: drained }));

  const source = fromAsyncIterable(simulatedTraffic(generator, clock, settings.events), {
    from: areas.checkpoints.position('sim'),
  });
  sourcePosition = () => source.position?.index ?? 0;
  // Phase, last checkpoint, watermark and lag, records in and out, owner: the status slice, fed by the library.
  pipelineStatusFeed({
    checkpoints: areas.checkpoints,
    monitor: source.monitor,
    sampleInterval: 250,
    watermarks: watermarks.pipe(auditTime(250)),
    backend: areas.backend,
  }).subscribe((action) => store.dispatch(action));
  const sim$ = areas.checkpoints.source('sim', source).pipe(timed(outputs, 'sim-entry', false));
  const input$ = settings.ui
    ? mergeTimed(
        sim$,
        areas.checkpoints
          .source('ui', fromPush(interactions, { bufferSize: 1_000, overflow: 'drop-oldest' }))
          .pipe(timed(outputs, 'ui-entry', true)),
      )
    : sim$;
  run(
    withExitControl(input$).pipe(
      watchWatermark,
      perArea(outputs, 'areas', queryableWindows(live, OPEN_AREAS)),
      keepEarly,
      exactlyOnceSink(
        (results, id) =>
          commit(areaResults, results.map(toAreaWindow), id, (v) => {
            unsent.push(...v);
            toStore(areasCommitted)(v);
          }),
        { uid: 'area-sink' },
      ),
      toValues(),
    ),
    areas.checkpoints,
  );
}

/** The session pipeline: per simulated user, over its own copy of the traffic. */
function runSessions(checkpoints: Checkpointing): void {
  const users = fromAsyncIterable(simulatedTraffic(generator, clock, settings.events), {
    from: checkpoints.position('sim'),
  });
  run(
    checkpoints.source('sim', users).pipe(
      // The same events as the area pipeline: their invalid ones are counted there, not twice.
      timed({ invalid: new SideOutput(), late: outputs.late }, 'sim-entry', false),
      perUser('sessions'),
      exactlyOnceSink((results, id) => commit(sessionResults, results.map(toSession), id, toStore(sessionsCommitted)), {
        uid: 'session-sink',
      }),
      toValues(),
    ),
    checkpoints,
  );
}

async function commit<T>(
  results: { commit(v: readonly T[], id: number): Promise<unknown> },
  values: T[],
  id: number,
  then: (v: T[]) => void,
): Promise<void> {
  await results.commit(values, id);
  then(values);
}

function run(results$: Observable<unknown>, checkpoints: Checkpointing): void {
  const done = new Promise<void>((resolve, reject) => results$.subscribe({ error: reject, complete: resolve }));
  finished.push(Promise.all([done, checkpoints.whenFinished()]));
  done.catch((e: unknown) => store.dispatch(pipelineStatusActions.failed(e)));
}

// Counters for the page, a few times a second (never per event), and once more at the end.
const counters = () => ({ invalid: outputs.invalid.count, late: outputs.late.count, read: sourcePosition() });
setInterval(() => store.dispatch(countersChanged(counters())), 250);

start()
  .then(
    () => Promise.all(finished).then(() => store.dispatch(countersChanged({ ...counters(), finished: true }))),
    (e: unknown) => store.dispatch(pipelineStatusActions.failed(e)),
  )
  .catch((e: unknown) => store.dispatch(pipelineStatusActions.failed(e)));

/** What tests read: the store, what was committed, and the same computation without checkpoints or reloads. */
export const testApi = {
  state: () => store.getState(),
  exits: () => exits,
  vitalUpdates: () => vitalUpdates,
  committed: async () => ({ windows: await areaResults.all(), sessions: await sessionResults.all() }),
  /** The first `settings.events` events through the same pipelines, unpaced, with no checkpoint: the reference. */
  async reference(): Promise<{ windows: AreaWindow[]; sessions: UserSession[] }> {
    const events = Array.from({ length: settings.events }, (_, i) => simulatedEvent(generator, i));
    const quiet: Outputs = { invalid: new SideOutput(), late: new SideOutput() };
    const collect = <T>(o: Observable<T>) =>
      new Promise<T[]>((resolve, reject) => {
        const out: T[] = [];
        o.subscribe({ next: (v) => out.push(v), error: reject, complete: () => resolve(out) });
      });
    const windows = await collect(
      fromIterable(events, { batchSize: 1 }).pipe(
        timed(quiet, undefined, false),
        perArea(quiet),
        toValues(),
        map(toAreaWindow),
      ),
    );
    const sessions = await collect(
      fromIterable(events, { batchSize: 1 }).pipe(
        timed(quiet, undefined, false),
        perUser(),
        toValues(),
        map(toSession),
      ),
    );
    return { windows, sessions };
  },
};
