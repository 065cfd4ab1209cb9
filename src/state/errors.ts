/**
 * Errors of keyed state and timers. Each names the operator `uid`, the state and the key involved,
 * so that a user can find the offending value (docs/architecture.md §4).
 */
import { describeValue, StreamError } from '../core/errors.js';

/** Where a value sits in an operator's state: used in error messages. */
export interface StateLocation {
  /** The operator's uid (or a description of the operator when it has none). */
  readonly uid?: string;
  /** The state's name, from its descriptor. */
  readonly state?: string;
  /** The key the value belongs to. */
  readonly key?: unknown;
}

function describeLocation(where: StateLocation | string): string {
  if (typeof where === 'string') return where;
  const parts: string[] = [];
  parts.push(`operator ${where.uid === undefined ? '(no uid)' : JSON.stringify(where.uid)}`);
  if (where.state !== undefined) parts.push(`state ${JSON.stringify(where.state)}`);
  if ('key' in where) parts.push(`key ${describeValue(where.key)}`);
  return parts.join(', ');
}

/**
 * A value in state cannot be exported as plain data (a function, a symbol, a class instance, a Map,
 * a cycle...). Raised when the state is exported, naming operator uid, state name, key and the path
 * of the offending part inside the value.
 */
export class StateNotSerializableError extends StreamError {
  readonly where: StateLocation | string;
  /** Path of the offending part inside the value, such as `value.items[2].callback`. */
  readonly path: string;
  readonly value: unknown;
  /** What is wrong with the part at `path`, such as "a circular reference". */
  readonly reason: string;
  constructor(where: StateLocation | string, path: string, value: unknown, reason: string) {
    super(
      'STATE_NOT_SERIALIZABLE',
      `Cannot export state of ${describeLocation(where)}: ${path} is ${reason}; state must be plain data ` +
        '(plain objects, arrays, strings, numbers, booleans, null, undefined, bigint)',
    );
    this.where = where;
    this.path = path;
    this.value = value;
    this.reason = reason;
  }
}

/**
 * State data given to `restoreState` / `restoreCheckpoint` does not have the shape that the export
 * produces. Names the operator's uid and, where one part is wrong, its `field` (a path such as
 * `state.keys[2].windows[0].end`).
 */
export class StateRestoreError extends StreamError {
  readonly uid: string | undefined;
  /** The path of the wrong part of the state, when one part is wrong. */
  readonly field: string | undefined;
  constructor(uid: string | undefined, reason: string, field?: string) {
    super(
      'STATE_RESTORE',
      `Cannot import state into operator ${uid === undefined ? '(no uid)' : JSON.stringify(uid)}: ${field === undefined ? '' : `${field} `}${reason}`,
    );
    this.uid = uid;
    this.field = field;
  }
}

/** A state name was declared twice with descriptors that do not agree (kind or functions). */
export class StateDescriptorError extends StreamError {
  readonly state: string;
  constructor(state: string, reason: string) {
    super('STATE_DESCRIPTOR', `State ${JSON.stringify(state)}: ${reason}`);
    this.state = state;
  }
}
