// Uses the integration entries (rxflink/redux, rxflink/react) as an app would, against dist/.
// Compiled apart from app.ts because Redux Toolkit 2's own declarations do not compile with
// exactOptionalPropertyTypes (TaskAbortError, the thunk configs): tsconfig.integrations.json turns it off.
import { configureStore, type UnknownAction } from '@reduxjs/toolkit';
import { createElement, type ReactElement } from 'react';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
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
    window(tumblingEventTimeWindows(10_000), { queryable: { registry: live, name: 'open' } }).aggregate(count()),
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
