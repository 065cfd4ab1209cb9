import { describeValue, StreamError } from '../core/errors.js';

/**
 * A bounded buffer was full and its overflow policy is `'error'`, or a stage that can only refuse
 * received more than its bound from an input that cannot be paused. Names the buffer and its size.
 */
export class BufferOverflowError extends StreamError {
  /** The buffer's name (the `name` option of the stage or source). */
  readonly buffer: string;
  /** The buffer's bound, in records. */
  readonly size: number;
  /** The value that did not fit. */
  readonly element: unknown;
  constructor(buffer: string, size: number, element: unknown, hint = '') {
    super(
      'BUFFER_OVERFLOW',
      `Buffer ${JSON.stringify(buffer)} overflowed its bound of ${size} records at element ${describeValue(element)}${hint ? `: ${hint}` : ''}`,
    );
    this.buffer = buffer;
    this.size = size;
    this.element = element;
  }
}

/** An async request (of `asyncMap`) did not complete within its timeout. Names the record. */
export class AsyncTimeoutError extends StreamError {
  /** The input value whose request timed out. */
  readonly element: unknown;
  /** The timeout in milliseconds. */
  readonly timeout: number;
  /** The stage's name. */
  readonly stage: string;
  constructor(stage: string, element: unknown, timeout: number) {
    super(
      'ASYNC_TIMEOUT',
      `Async request of ${JSON.stringify(stage)} for element ${describeValue(element)} timed out after ${timeout} ms`,
    );
    this.element = element;
    this.timeout = timeout;
    this.stage = stage;
  }
}

/** An async request (of `asyncMap` or an async sink) failed; `cause` holds the original error. */
export class AsyncRequestError extends StreamError {
  readonly element: unknown;
  readonly stage: string;
  constructor(stage: string, element: unknown, cause: unknown) {
    super(
      'ASYNC_REQUEST_FAILED',
      `Async request of ${JSON.stringify(stage)} for element ${describeValue(element)} failed: ${cause instanceof Error ? cause.message : describeValue(cause)}`,
      { cause },
    );
    this.element = element;
    this.stage = stage;
  }
}
