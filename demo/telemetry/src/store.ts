// The app's Redux store, on rxflink/redux: the area windows and the user sessions in two
// window-results slices (composite ids of key and window, late re-firings upserted, eviction by
// watermark − retention, memoized selectors), the area pipeline's status in the pipeline-status
// slice, and one small slice of what only this app shows (counters, web vitals, the lock wait).
import { configureStore, createSlice, type PayloadAction } from '@reduxjs/toolkit';
import {
  createWindowResultsSlice,
  pipelineStatusReducer,
  PIPELINE_STATUS,
  selectPipelineStatus,
  type WindowResultEntity,
  type WindowResultInput,
} from '../../../src/redux/index.js';

/** One firing of a 10 s window of one page area, as committed to IndexedDB (a late re-firing replaces the earlier one). */
export interface AreaWindow {
  readonly area: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly errors: number;
}

/** One session of one simulated user, as committed to IndexedDB. */
export interface UserSession {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly events: number;
}

/** What the store keeps of an area window: the window-results slice holds key and window beside it. */
export type AreaFigures = Pick<AreaWindow, 'count' | 'p50' | 'p95' | 'errors'>;
export type AreaEntity = WindowResultEntity<string, AreaFigures>;
export type SessionEntity = WindowResultEntity<string, number>;

/** Event time a window stays in the store after the watermark passed its end: the charts show this much history. */
export const RETENTION_MS = 30 * 60_000;

export const areaWindows = createWindowResultsSlice<string, AreaFigures>({
  name: 'windows',
  retention: RETENTION_MS,
  rank: (v) => v.count,
});
export const userSessions = createWindowResultsSlice<string, number>({ name: 'sessions', retention: RETENTION_MS });

/** A committed area window as a window result for the slice. */
export const areaResult = ({ area, start, end, ...figures }: AreaWindow): WindowResultInput<string, AreaFigures> => ({
  key: area,
  window: { start, end },
  value: figures,
});
/** A committed session as a window result for the slice. */
export const sessionResult = (s: UserSession): WindowResultInput<string, number> => ({
  key: s.user,
  window: { start: s.start, end: s.end },
  value: s.events,
});

/** What only this page shows, beside the pipeline's status. */
export interface AppCounters {
  /** Another tab owns the pipelines' state: this one waits for its Web Lock. */
  readonly waiting: boolean;
  /** Every pipeline of the page (areas and sessions) finished. */
  readonly finished: boolean;
  /** Events read from the simulated input: its position, kept across reloads (records in restart at 0). */
  readonly read: number;
  readonly invalid: number;
  readonly late: number;
  /** Bodies a previous page exit left in the IndexedDB outbox, sent on this start. */
  readonly outboxDrained: number;
  readonly vitals: Readonly<Record<string, number>>;
}

const initialCounters: AppCounters = {
  waiting: false,
  finished: false,
  read: 0,
  invalid: 0,
  late: 0,
  outboxDrained: 0,
  vitals: {},
};

const appSlice = createSlice({
  name: 'app',
  initialState: initialCounters,
  reducers: {
    countersChanged: (state, action: PayloadAction<Partial<AppCounters>>) => ({ ...state, ...action.payload }),
    vitalReported: (state, action: PayloadAction<{ name: string; value: number }>) => {
      state.vitals = { ...state.vitals, [action.payload.name]: action.payload.value };
    },
  },
});

export const { countersChanged, vitalReported } = appSlice.actions;

/** The app's store. */
export function createAppStore() {
  return configureStore({
    reducer: {
      windows: areaWindows.reducer,
      sessions: userSessions.reducer,
      [PIPELINE_STATUS]: pipelineStatusReducer,
      app: appSlice.reducer,
    },
  });
}
export type AppStore = ReturnType<typeof createAppStore>;
export type AppState = ReturnType<AppStore['getState']>;

export const windowSelectors = areaWindows.getSelectors((s: AppState) => s.windows);
export const sessionSelectors = userSessions.getSelectors((s: AppState) => s.sessions);
export const selectStatus = selectPipelineStatus;
export const selectCounters = (s: AppState): AppCounters => s.app;
