/**
 * The testing kit: `testStream()` (Beam's TestStream for RxJS pipelines) with `runWithRestore`,
 * marble helpers for TestScheduler, and a harness that drives engine operators without RxJS.
 * Import from `rxflink/testing`.
 */
export { batched, unbatched } from './marbles.js';
export { OperatorHarness, runOperator } from './harness.js';
export { testStream, timestamped, TestStream, type TestStreamOptions } from './test-stream.js';
export { chain, OperatorChain, type CreateOperator } from './chain.js';
export type { TestStreamStep } from './step-runner.js';
export { inEarlyPane, inFinalPane, inLatePane, inOnTimePane, type PaneSelector } from './panes.js';
export { runWithRestore, type RunWithRestoreOptions } from './run-with-restore.js';
export { HarnessStateError, TestStreamStepError, WatermarkRegressionError } from './errors.js';
