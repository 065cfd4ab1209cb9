/**
 * Subjects of partitioned streams: a partition is a key group, and its subject is
 * `<prefix>.<keyGroup>` (docs/nats.md).
 */
import { InvalidOptionError } from '../core/errors.js';
import type { KeyGroupRange } from '../core/state-snapshot.js';

/** A NATS subject token: no spaces, dots or wildcards. */
const TOKENS = /^[^\s.*>]+(\.[^\s.*>]+)*$/;

/**
 * Checks a subject prefix (`orders`, `app.in`): dot-separated tokens without wildcards.
 *
 * @example
 * // internal: checkPrefix('prefix', 'orders'); // 'orders'
 */
export function checkPrefix(option: string, prefix: unknown): string {
  if (typeof prefix !== 'string' || !TOKENS.test(prefix))
    throw new InvalidOptionError(
      option,
      prefix,
      'must be a subject prefix: dot-separated tokens, no spaces or wildcards',
    );
  return prefix;
}

/**
 * The subject of key group `keyGroup` under `prefix`: `<prefix>.<keyGroup>`.
 *
 * @example
 * ```ts
 * partitionSubject('orders', 17); // 'orders.17'
 * ```
 */
export function partitionSubject(prefix: string, keyGroup: number): string {
  return `${prefix}.${keyGroup}`;
}

/**
 * The key groups of a range, in order, after checking it against `maxParallelism`.
 *
 * @example
 * // internal: partitionsOf({ start: 2, end: 4 }, 128); // [2, 3, 4]
 */
export function partitionsOf(range: KeyGroupRange, maxParallelism: number): number[] {
  const { start, end } = range ?? ({} as Partial<KeyGroupRange>);
  if (
    !Number.isSafeInteger(start) ||
    !Number.isSafeInteger(end) ||
    start! < 0 ||
    end! < start! ||
    end! >= maxParallelism
  )
    throw new InvalidOptionError(
      'keyGroups',
      range,
      `must be an inclusive range { start, end } of key groups with 0 <= start <= end < maxParallelism (${maxParallelism})`,
    );
  const out: number[] = [];
  for (let g = start!; g <= end!; g++) out.push(g);
  return out;
}

/**
 * The server configuration of a subject mapping that spreads external producers' subjects
 * `<from>.<key>` over `partitions` partition subjects `<prefix>.<n>` with NATS's
 * `partition(n, wildcards)` transform. NATS hashes the key token with FNV-1a, not with the library's
 * murmur key groups: partition `n` is then a key group only in name (docs/nats.md, "Subject mapping").
 *
 * @example
 * ```ts
 * partitionMapping('ingest', 'orders', 128);
 * // 'mappings: { "ingest.*": "orders.{{partition(128,1)}}" }'
 * ```
 */
export function partitionMapping(from: string, prefix: string, partitions: number): string {
  checkPrefix('from', from);
  checkPrefix('prefix', prefix);
  if (!Number.isSafeInteger(partitions) || partitions < 1)
    throw new InvalidOptionError('partitions', partitions, 'must be a positive integer');
  return `mappings: { "${from}.*": "${prefix}.{{partition(${partitions},1)}}" }`;
}
