/**
 * Many records per NATS message: a message's payload is the JSON array of its records. One
 * acknowledged publish costs about as much as a small one whatever it carries (about 15k acked
 * publishes per second on loopback), so packing is what makes JetStream carry records fast.
 */
import type { JsMsg } from '@nats-io/jetstream';
import { positiveInteger } from '../core/options.js';

/** Options of how records are packed into messages. */
export interface PackingOptions {
  /** Most records per message. Default 256. */
  maxRecordsPerMessage?: number;
  /** Most payload bytes (UTF-16 code units of the JSON, a close bound) per message. Default 512 KB: under the server's 1 MB max_payload. */
  maxMessageBytes?: number;
}

/** The validated packing limits. */
export interface Packing {
  readonly records: number;
  readonly bytes: number;
}

/**
 * Validates the packing options and fills in the defaults.
 *
 * @example
 * // internal: packing({ maxRecordsPerMessage: 100 }); // { records: 100, bytes: 524288 }
 */
export function packing(options: PackingOptions): Packing {
  return {
    records: positiveInteger('maxRecordsPerMessage', options.maxRecordsPerMessage ?? 256),
    bytes: positiveInteger('maxMessageBytes', options.maxMessageBytes ?? 512 * 1024, 'bytes'),
  };
}

/**
 * Packs `values` in order into payloads of at most `limits.records` records and about
 * `limits.bytes` bytes (a single larger record gets a message of its own). Deterministic: the same
 * values give the same payloads, which the exactly-once sink relies on for its message ids.
 *
 * @example
 * // internal: pack([1, 2, 3], { records: 2, bytes: 1024 }); // ['[1,2]', '[3]']
 */
export function pack<T>(values: readonly T[], limits: Packing): string[] {
  const out: string[] = [];
  let parts: string[] = [];
  let size = 2;
  for (const value of values) {
    const json = JSON.stringify(value);
    if (json === undefined) throw new TypeError(`a record is not JSON-serialisable: ${String(value)}`);
    if (parts.length > 0 && (parts.length >= limits.records || size + json.length + 1 > limits.bytes)) {
      out.push(`[${parts.join(',')}]`);
      parts = [];
      size = 2;
    }
    parts.push(json);
    size += json.length + 1;
  }
  if (parts.length > 0) out.push(`[${parts.join(',')}]`);
  return out;
}

/**
 * The records of a packed message.
 *
 * @example
 * // internal: const records = unpack<Order>(msg);
 */
export function unpack<T>(msg: JsMsg): T[] {
  const values = msg.json<unknown>();
  if (!Array.isArray(values))
    throw new TypeError(`message ${msg.seq} on ${msg.subject} is not a packed array of records`);
  return values as T[];
}

/**
 * `values` grouped by `keyOf`, each group in input order, groups in order of first appearance:
 * deterministic, as message ids need.
 *
 * @example
 * // internal: groupInOrder([1, 2, 3], (n) => n % 2); // Map { 1 => [1, 3], 0 => [2] }
 */
export function groupInOrder<T, G>(values: readonly T[], keyOf: (value: T) => G): Map<G, T[]> {
  const groups = new Map<G, T[]>();
  for (const value of values) {
    const group = keyOf(value);
    const list = groups.get(group);
    if (list === undefined) groups.set(group, [value]);
    else list.push(value);
  }
  return groups;
}
