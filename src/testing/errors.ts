import { describeValue, StreamError } from '../core/errors.js';

/**
 * `testStream().advanceWatermarkTo(t)` was asked to move the watermark backwards. Watermarks only
 * advance (Beam's TestStream builder refuses the same); raised when the step is added.
 */
export class WatermarkRegressionError extends StreamError {
  /** The watermark asked for. */
  readonly watermark: number;
  /** The watermark the test stream had reached. */
  readonly currentWatermark: number;
  constructor(watermark: number, currentWatermark: number) {
    super(
      'WATERMARK_REGRESSION',
      `advanceWatermarkTo(${watermark}) would move the watermark backwards: the test stream is already at ${currentWatermark}. Watermarks only advance; to test late data, add elements with timestamps at or below ${currentWatermark} instead`,
    );
    this.watermark = watermark;
    this.currentWatermark = currentWatermark;
  }
}

/** A test stream step that cannot run where the stream was subscribed (named by its index). */
export class TestStreamStepError extends StreamError {
  readonly step: number;
  constructor(step: number, what: unknown, reason: string) {
    super('TEST_STREAM_STEP', `Step ${step} of the test stream (${describeValue(what)}) ${reason}`);
    this.step = step;
  }
}

/** An `OperatorHarness` was used out of order (Flink's harness has the same order: restore, then run). */
export class HarnessStateError extends StreamError {
  constructor(reason: string) {
    super('HARNESS_STATE', `OperatorHarness: ${reason}`);
  }
}
