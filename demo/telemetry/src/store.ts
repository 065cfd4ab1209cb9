// ALL of the app's Redux glue, in this one file, so that it can switch to rxflink/redux (its
// window-results slice and status slice) in one place once that entry exists. Redux Toolkit directly.
import { configureStore, createEntityAdapter, createSlice, type PayloadAction } from '@reduxjs/toolkit';

/** One firing of a 10 s window of one page area (a late re-firing replaces the earlier one). */
export interface AreaWindow {
  readonly area: string;
  readonly start: number;
  readonly end: number;
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly errors: number;
}

/** One session of one simulated user. */
export interface UserSession {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly events: number;
}

/** The composite id of a window result: key and window start. */
export const areaWindowId = (w: Pick<AreaWindow, 'area' | 'start'>): string => `${w.area}@${w.start}`;
const sessionId = (s: Pick<UserSession, 'user' | 'start'>): string => `${s.user}@${s.start}`;

const windows = createEntityAdapter<AreaWindow, string>({ selectId: areaWindowId, sortComparer: (a, b) => a.start - b.start });
const sessions = createEntityAdapter<UserSession, string>({ selectId: sessionId, sortComparer: (a, b) => b.end - a.end });

export interface PipelineStatus {
  /** 'waiting': another tab owns the state; 'running': this tab owns it. */
  readonly phase: 'starting' | 'waiting' | 'running' | 'finished' | 'failed';
  readonly error: string | null;
  readonly ownership: string | null;
  readonly restoredFrom: number | null;
  readonly lastCheckpointId: number | null;
  readonly checkpoints: number;
  readonly watermark: number | null;
  readonly invalid: number;
  readonly late: number;
  readonly dropped: number;
  readonly read: number;
  readonly outboxDrained: number;
  readonly vitals: Readonly<Record<string, number>>;
}

const initialStatus: PipelineStatus = {
  phase: 'starting', error: null, ownership: null, restoredFrom: null, lastCheckpointId: null, checkpoints: 0, watermark: null,
  invalid: 0, late: 0, dropped: 0, read: 0, outboxDrained: 0, vitals: {},
};

const windowsSlice = createSlice({
  name: 'windows',
  initialState: windows.getInitialState(),
  reducers: { windowsFired: (state, action: PayloadAction<readonly AreaWindow[]>) => { windows.upsertMany(state, action.payload); } },
});
const sessionsSlice = createSlice({
  name: 'sessions',
  initialState: sessions.getInitialState(),
  reducers: { sessionsClosed: (state, action: PayloadAction<readonly UserSession[]>) => { sessions.upsertMany(state, action.payload); } },
});
const statusSlice = createSlice({
  name: 'status',
  initialState: initialStatus,
  reducers: {
    statusChanged: (state, action: PayloadAction<Partial<PipelineStatus>>) => ({ ...state, ...action.payload }),
    vitalReported: (state, action: PayloadAction<{ name: string; value: number }>) => {
      state.vitals = { ...state.vitals, [action.payload.name]: action.payload.value };
    },
  },
});

export const { windowsFired } = windowsSlice.actions;
export const { sessionsClosed } = sessionsSlice.actions;
export const { statusChanged, vitalReported } = statusSlice.actions;

/** The app's store. */
export function createAppStore() {
  return configureStore({
    reducer: { windows: windowsSlice.reducer, sessions: sessionsSlice.reducer, status: statusSlice.reducer },
  });
}
export type AppStore = ReturnType<typeof createAppStore>;
export type AppState = ReturnType<AppStore['getState']>;

const windowSelectors = windows.getSelectors((s: AppState) => s.windows);
const sessionSelectors = sessions.getSelectors((s: AppState) => s.sessions);
export const selectWindows = windowSelectors.selectAll;
export const selectSessions = sessionSelectors.selectAll;
export const selectStatus = (s: AppState): PipelineStatus => s.status;
