/**
 * How the actions a pipeline dispatches are told apart from the app's: they carry
 * `meta.rxflinkPipeline: true`, so that the action source (action-source.ts) leaves them out by
 * default and a pipeline never reads its own results back (no feedback loop). They also carry RTK's
 * `SHOULD_AUTOBATCH` tag, so that `autoBatchEnhancer` notifies subscribers once for a burst.
 */
import { SHOULD_AUTOBATCH, type Action } from '@reduxjs/toolkit';

/** The `meta` field that marks an action dispatched by a pipeline. */
export const PIPELINE_META = 'rxflinkPipeline';

/** The `meta` a pipeline's actions carry: the pipeline mark and RTK's auto-batch tag. */
export interface PipelineActionMeta {
  readonly [PIPELINE_META]: true;
  readonly [SHOULD_AUTOBATCH]: true;
}

/**
 * True when `action` was dispatched by a pipeline (tagged by `tagPipelineAction`).
 *
 * @example
 * ```ts
 * const fromUser = (action: UnknownAction) => !isPipelineAction(action);
 * ```
 */
export function isPipelineAction(action: unknown): boolean {
  const meta = (action as { meta?: Record<string, unknown> } | null)?.meta;
  return typeof meta === 'object' && meta !== null && meta[PIPELINE_META] === true;
}

/**
 * A copy of `action` with the pipeline mark and the auto-batch tag added to its `meta` (keeping
 * what `meta` held).
 *
 * @example
 * ```ts
 * appStore.dispatch(tagPipelineAction({ type: 'clicks/counted', payload: 3 }));
 * ```
 */
export function tagPipelineAction<A extends Action>(action: A): A & { meta: PipelineActionMeta } {
  const meta = (action as { meta?: object }).meta;
  return {
    ...action,
    meta: {
      ...(typeof meta === 'object' && meta !== null ? meta : {}),
      [PIPELINE_META]: true,
      [SHOULD_AUTOBATCH]: true,
    },
  };
}

/**
 * A prepare callback for `createSlice` reducers and `createAction`: the payload as is, with the
 * pipeline's `meta` (as RTK's `prepareAutoBatched`, plus the pipeline mark).
 *
 * @example
 * ```ts
 * import { createAction } from '@reduxjs/toolkit';
 * const counted = createAction('clicks/counted', preparePipelineAction<number>());
 * ```
 */
export function preparePipelineAction<P>(): (payload: P) => { payload: P; meta: PipelineActionMeta } {
  return (payload) => ({ payload, meta: { [PIPELINE_META]: true, [SHOULD_AUTOBATCH]: true } });
}
