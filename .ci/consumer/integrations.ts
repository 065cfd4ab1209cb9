// Uses the integration entries (rxflink/redux, rxflink/react) as an app would, against dist/.
// Compiled apart from app.ts because Redux Toolkit 2's own declarations do not compile with
// exactOptionalPropertyTypes (TaskAbortError, the thunk configs): tsconfig.integrations.json turns it off.
import { configureStore, type UnknownAction } from '@reduxjs/toolkit';
import { createElement, type ReactElement } from 'react';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  queryableWindows,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from 'rxflink';
import {
  actionTimestamp,
  createActionSource,
  createQueryableState,
  createWindowResultsSlice,
  dispatchResults,
  pipelineStatusFeed,
  pipelineStatusReducer,
  PIPELINE_STATUS,
  type OpenWindow,
} from 'rxflink/redux';
import { usePipelineStatus, useQueryableState, useWindowResults } from 'rxflink/react';

const actions = createActionSource<UnknownAction>({ bufferSize: 1_000, overflow: 'drop-oldest' });
const perType = createWindowResultsSlice<string, number>({ name: 'perType', retention: 60_000 });
export const store = configureStore({
  reducer: { [PIPELINE_STATUS]: pipelineStatusReducer, perType: perType.reducer },
  middleware: (d) => d().concat(actions.middleware),
});
const live = createQueryableState();
export const running = actions.source
  .pipe(
    withEventTimeBatches({ timestamp: actionTimestamp, watermarks: boundedOutOfOrderness(1_000) }),
    keyBy((e) => e.action.type),
    window(tumblingEventTimeWindows(10_000), { queryable: queryableWindows(live, 'open') }).aggregate(count()),
    toValues(),
    dispatchResults(store.dispatch, {
      action: perType.actions.resultsReceived,
      bufferSize: 1_000,
      overflow: 'drop-oldest',
    }),
  )
  .subscribe();
export const status = pipelineStatusFeed({ monitor: actions.source.monitor }).subscribe(store.dispatch);

export function Dashboard(): ReactElement {
  const phase = usePipelineStatus(store).phase;
  const top = useWindowResults(
    store,
    perType.getSelectors((s: ReturnType<typeof store.getState>) => s.perType),
    { top: 3 },
  );
  const open = useQueryableState(live.view<string, readonly OpenWindow[]>('open'));
  return createElement('p', null, `${phase}: ${top.map((r) => r.key).join(', ')}; ${open.entries.length} keys open`);
}

// rxflink/nats: a task's key groups in, an exactly-once sink out (only compiled: it needs a server).
// Here, not in app.ts: @nats-io/nats-core's declarations do not compile with exactOptionalPropertyTypes.
import { natsExactlyOnceSink, natsProducer, natsSource, type NatsSourcePosition } from 'rxflink/nats';
import type { Observable } from 'rxjs';
import type { WindowResult } from 'rxflink';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';

interface Click {
  page: string;
  at: number;
}

export async function natsTask(position: NatsSourcePosition | undefined): Promise<Observable<unknown>> {
  const js = jetstream(await connect({ servers: 'nats://127.0.0.1:4222' }));
  await natsProducer<Click>(js, { prefix: 'clicks', key: (c) => c.page }).publish([{ page: '/', at: 1 }]);
  const sink = await natsExactlyOnceSink<WindowResult<string, number>, string>(js, {
    uid: 'out',
    stream: 'COUNTS',
    subject: 'counts',
    job: 'clicks',
    task: '0-63',
    markers: await new Kvm(js).create('commits'),
    recoveryTime: 60_000,
  });
  const source = natsSource<Click>(js, {
    stream: 'CLICKS',
    prefix: 'clicks',
    keyGroups: { start: 0, end: 63 },
    from: position,
  });
  return source.pipe(
    withEventTimeBatches({ timestamp: (c: Click) => c.at, watermarks: boundedOutOfOrderness(1_000) }),
    keyBy((c: Click) => c.page),
    window(tumblingEventTimeWindows(60_000)).aggregate(count()),
    sink,
  );
}
