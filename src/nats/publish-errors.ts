/**
 * Which failures of a JetStream publish are permanent: retrying them until the recovery time runs
 * out would only hide a configuration error (no stream for the subject, a message over the size
 * limit, a missing permission). Only transient ones (timeouts, disconnects, JetStream restarting)
 * are retried.
 */
import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import { StreamError } from '../core/errors.js';

/** A publish to `subject` failed for a reason retrying cannot fix. */
export class NatsPublishError extends StreamError {
  readonly subject: string;
  readonly stream: string;
  constructor(subject: string, stream: string, reason: string, cause: unknown) {
    super(
      'NATS_PUBLISH',
      `publishing to ${JSON.stringify(subject)} (stream ${JSON.stringify(stream)}) failed for good: ${reason}`,
      { cause },
    );
    this.subject = subject;
    this.stream = stream;
  }
}

/** Client errors that say the request itself is wrong. */
const PERMANENT_CLIENT_ERRORS = new Set([
  'InvalidArgumentError', // a payload over the server's max_payload
  'InvalidSubjectError',
  'PermissionViolationError',
  'AuthorizationError',
]);

/**
 * The permanent error for a failed publish, or undefined when it may be transient. No responders
 * is asked back of the server: no stream captures the subject (permanent), or JetStream is not up
 * yet after a restart (transient).
 *
 * @example
 * // internal: const permanent = await permanentPublishError(error, 'totals', 'TOTALS', jsm); // NatsPublishError | undefined
 */
export async function permanentPublishError(
  error: unknown,
  subject: string,
  stream: string,
  jsm: JetStreamManager,
): Promise<NatsPublishError | undefined> {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (PERMANENT_CLIENT_ERRORS.has(name)) return new NatsPublishError(subject, stream, message, error);
  // The server refused the message (size over the stream's max_msg_size, another stream expected...).
  if (error instanceof JetStreamApiError) return new NatsPublishError(subject, stream, message, error);
  if (name !== 'JetStreamNotEnabled' && name !== 'NoRespondersError') return undefined;
  try {
    const found = await jsm.streams.find(subject);
    if (found !== stream) {
      return new NatsPublishError(subject, stream, `the subject belongs to stream ${JSON.stringify(found)}`, error);
    }
    return undefined;
  } catch (findError) {
    if (findError instanceof Error && findError.name === 'StreamNotFoundError')
      return new NatsPublishError(subject, stream, 'no stream captures this subject', error);
    return undefined;
  }
}
