/**
 * A Redux slice of a pipeline's status: its phase, its last checkpoint, its watermark and lag, its
 * flow (records in and out, drops, backpressure) and which tab owns its state. Every field is plain,
 * serializable data (an error is stored as RTK's `SerializedError`). Fed by `pipelineStatusActions`
 * (pipeline-status-feed.ts) or by any other model of metrics that dispatches the same actions.
 */
import { createAction, createReducer, miniSerializeError, type SerializedError } from '@reduxjs/toolkit';
import { preparePipelineAction } from './pipeline-actions.js';

/** What the pipeline is doing. */
export type PipelinePhase = 'starting' | 'restoring' | 'running' | 'checkpointing' | 'failed' | 'finished';

/** Which tab owns the pipeline's stored state: this one, another one (this one reads only), or not known. */
export type StateOwner = 'this-tab' | 'other-tab' | 'unknown';

/** The state of the pipeline-status slice. */
export interface PipelineStatus {
  readonly phase: PipelinePhase;
  /** The error that failed the pipeline, as plain data. */
  readonly error: SerializedError | null;
  /** The checkpoint restored from, if any. */
  readonly restoredFrom: number | null;
  /** The last stored checkpoint or savepoint: id and creation time (ms since the epoch). */
  readonly lastCheckpoint: { readonly id: number; readonly time: number; readonly kind: string } | null;
  readonly checkpointsCompleted: number;
  /** The event-time watermark (null before the first; +Infinity is stored as null too, with `phase`). */
  readonly watermark: number | null;
  /** Processing time minus the watermark when it was last reported, in ms. */
  readonly lagMs: number | null;
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly dropped: number;
  /** Ms per second the most backpressured source could not pull (0..1000). */
  readonly backPressuredTimeMsPerSecond: number;
  readonly owner: StateOwner;
}

/** The flow figures of one metrics sample (what `FlowMetrics` holds, or any model's equivalent). */
export interface FlowSample {
  readonly recordsIn: number;
  readonly recordsOut: number;
  readonly dropped: number;
  readonly backPressuredTimeMsPerSecond: number;
}

const initialStatus: PipelineStatus = {
  phase: 'starting',
  error: null,
  restoredFrom: null,
  lastCheckpoint: null,
  checkpointsCompleted: 0,
  watermark: null,
  lagMs: null,
  recordsIn: 0,
  recordsOut: 0,
  dropped: 0,
  backPressuredTimeMsPerSecond: 0,
  owner: 'unknown',
};

/** The slice's name, its action type prefix, and its default key in the root state. */
export const PIPELINE_STATUS = 'pipelineStatus';

/**
 * The actions of the status slice, all tagged as the pipeline's own and for `autoBatchEnhancer`.
 *
 * @example
 * ```ts
 * appStore.dispatch(pipelineStatusActions.failed(new Error('disk full')));
 * ```
 */
export const pipelineStatusActions = {
  /** The pipeline started; `restoredFrom` is the checkpoint it restores, if any (phase `restoring`). */
  started: /* @__PURE__ */ createAction(
    `${PIPELINE_STATUS}/started`,
    preparePipelineAction<{ restoredFrom: number | null }>(),
  ),
  /** Records flow (after a restore, the first sample or checkpoint says so). */
  running: /* @__PURE__ */ createAction(`${PIPELINE_STATUS}/running`, preparePipelineAction<void>()),
  /** A checkpoint was triggered and has not been stored yet. */
  checkpointStarted: /* @__PURE__ */ createAction(
    `${PIPELINE_STATUS}/checkpointStarted`,
    preparePipelineAction<void>(),
  ),
  /** A checkpoint or savepoint was stored. */
  checkpointCompleted: /* @__PURE__ */ createAction(
    `${PIPELINE_STATUS}/checkpointCompleted`,
    preparePipelineAction<{ id: number; time: number; kind: string }>(),
  ),
  /** A flow sample. */
  flowSampled: /* @__PURE__ */ createAction(`${PIPELINE_STATUS}/flowSampled`, preparePipelineAction<FlowSample>()),
  /** The watermark moved; `now` is processing time, for the lag. */
  watermarkAdvanced: /* @__PURE__ */ createAction(
    `${PIPELINE_STATUS}/watermarkAdvanced`,
    preparePipelineAction<{ watermark: number; now: number }>(),
  ),
  /** Which tab owns the stored state. */
  ownerChanged: /* @__PURE__ */ createAction(`${PIPELINE_STATUS}/ownerChanged`, preparePipelineAction<StateOwner>()),
  /** The pipeline failed: the error is stored as plain data (name, message, code, stack). */
  failed: /* @__PURE__ */ createAction(`${PIPELINE_STATUS}/failed`, (error: unknown) =>
    preparePipelineAction<SerializedError>()(serializeError(error)),
  ),
  /** Every source finished and the final checkpoint (if any) is stored. */
  finished: /* @__PURE__ */ createAction(`${PIPELINE_STATUS}/finished`, preparePipelineAction<void>()),
};

function serializeError(error: unknown): SerializedError {
  const plain = miniSerializeError(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { ...plain, code } : plain;
}

/** After a restore, the first sign of progress means the pipeline runs. */
const progressing = (s: { phase: PipelinePhase }): void => {
  if (s.phase === 'restoring' || s.phase === 'starting' || s.phase === 'checkpointing') s.phase = 'running';
};

/**
 * The reducer of the pipeline-status slice; mount it under `PIPELINE_STATUS`.
 *
 * @example
 * ```ts
 * const store = configureStore({ reducer: { [PIPELINE_STATUS]: pipelineStatusReducer } });
 * ```
 */
export const pipelineStatusReducer = /* @__PURE__ */ createReducer<PipelineStatus>(initialStatus, (builder) =>
  builder
    .addCase(pipelineStatusActions.started, (_s, a) => ({
      ...initialStatus,
      phase: a.payload.restoredFrom === null ? 'running' : 'restoring',
      restoredFrom: a.payload.restoredFrom,
    }))
    .addCase(pipelineStatusActions.running, progressing)
    .addCase(pipelineStatusActions.checkpointStarted, (s) => {
      if (s.phase === 'running') s.phase = 'checkpointing';
    })
    .addCase(pipelineStatusActions.checkpointCompleted, (s, a) => {
      s.lastCheckpoint = a.payload;
      s.checkpointsCompleted++;
      progressing(s);
    })
    .addCase(pipelineStatusActions.flowSampled, (s, a) => {
      const { recordsIn, recordsOut, dropped, backPressuredTimeMsPerSecond } = a.payload;
      if (recordsIn > s.recordsIn && s.phase === 'restoring') s.phase = 'running';
      Object.assign(s, { recordsIn, recordsOut, dropped, backPressuredTimeMsPerSecond });
    })
    .addCase(pipelineStatusActions.watermarkAdvanced, (s, a) => {
      const { watermark, now } = a.payload;
      if (!Number.isFinite(watermark)) return;
      s.watermark = watermark;
      s.lagMs = now - watermark;
    })
    .addCase(pipelineStatusActions.ownerChanged, (s, a) => {
      s.owner = a.payload;
    })
    .addCase(pipelineStatusActions.failed, (s, a) => {
      s.phase = 'failed';
      s.error = a.payload;
    })
    .addCase(pipelineStatusActions.finished, (s) => {
      if (s.phase !== 'failed') s.phase = 'finished';
    }),
);

/**
 * The status in a root state where the slice sits under `PIPELINE_STATUS`.
 *
 * @example
 * ```ts
 * selectPipelineStatus(appStore.getState()).phase; // 'running'
 * ```
 */
export function selectPipelineStatus(state: { readonly [PIPELINE_STATUS]: PipelineStatus }): PipelineStatus {
  return state[PIPELINE_STATUS];
}
