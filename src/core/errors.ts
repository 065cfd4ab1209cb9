/**
 * Typed errors. Each names what was wrong (the element, the option) so that a user can find it;
 * `code` is stable for programs, `message` is for people.
 */

/** Base class of every error this library raises. */
export class StreamError extends Error {
  declare readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An option passed to an operator or strategy is invalid. Raised when the operator is built. */
export class InvalidOptionError extends StreamError {
  declare readonly option: string;
  declare readonly value: unknown;
  constructor(option: string, value: unknown, reason: string) {
    super('INVALID_OPTION', `Invalid option ${option}: ${describeValue(value)} ${reason}`);
    this.option = option;
    this.value = value;
  }
}

/** A record's timestamp is missing, not a number, NaN, infinite or not an integer. */
export class InvalidTimestampError extends StreamError {
  declare readonly element: unknown;
  declare readonly timestamp: unknown;
  constructor(element: unknown, timestamp: unknown, reason: string) {
    super(
      'INVALID_TIMESTAMP',
      `Invalid timestamp ${describeValue(timestamp)} for element ${describeValue(element)}: ${reason}`,
    );
    this.element = element;
    this.timestamp = timestamp;
  }
}

/** A key returned by a key selector cannot be used as a key. */
export class InvalidKeyError extends StreamError {
  declare readonly element: unknown;
  declare readonly key: unknown;
  constructor(element: unknown, key: unknown, reason: string) {
    super('INVALID_KEY', `Invalid key ${describeValue(key)} for element ${describeValue(element)}: ${reason}`);
    this.element = element;
    this.key = key;
  }
}

/** A keyed operation (keyed state, timers, keyed window) was used on a stream without a key. */
export class NotKeyedError extends StreamError {
  constructor(what: string) {
    super(
      'NOT_KEYED',
      `${what} needs a keyed context: apply keyBy(...) before this operator, and use keyed state and timers only while a record or timer of a key is being processed`,
    );
  }
}

/** Short, safe rendering of any value for error messages: never throws, never huge. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
    if (typeof value === 'symbol') return value.toString();
    return String(value);
  }
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'Invalid' : value.toISOString()})`;
  // JSON shows both as {}: name the type and the size instead.
  if (value instanceof Map) return `Map(${value.size})`;
  if (value instanceof Set) return `Set(${value.size})`;
  try {
    const json = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
    if (json === undefined) return Object.prototype.toString.call(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
