/**
 * Time-to-live of keyed state, after Flink's StateTtlConfig
 * (flink-core/.../api/common/state/StateTtlConfig.java): entries expire a fixed processing time
 * after their last create/write (or also read), expired values are never returned, and expired
 * entries are removed incrementally and when a snapshot is taken.
 * Processing time comes from the operator's injected scheduler, never from the wall clock.
 */
import { InvalidOptionError } from '../core/errors.js';
import { positiveInteger } from '../core/options.js';

/** When an entry's TTL timestamp is refreshed (Flink's StateTtlConfig.UpdateType). */
export type TtlUpdateType = 'OnCreateAndWrite' | 'OnReadAndWrite';
/** Whether an expired entry that was not cleaned up yet may be returned (Flink's StateVisibility). */
export type TtlVisibility = 'NeverReturnExpired' | 'ReturnExpiredIfNotCleanedUp';

/** Time-to-live of one state, declared on its descriptor. */
export interface StateTtlConfig {
  /** Milliseconds of processing time after the last refresh at which an entry expires. */
  readonly ttl: number;
  /** Default `'OnCreateAndWrite'`, as in Flink. */
  readonly updateType?: TtlUpdateType;
  /** Default `'NeverReturnExpired'`, as in Flink. */
  readonly visibility?: TtlVisibility;
  /**
   * Incremental cleanup (Flink's `cleanupIncrementally(size, runCleanupForEveryRecord)`): each
   * access to the state checks `size` further entries of its table and removes the expired ones;
   * with `everyRecord` every processed record does too. Default `{ size: 5, everyRecord: false }`
   * (Flink's default background cleanup for heap state); `false` turns it off.
   */
  readonly incrementalCleanup?: { readonly size: number; readonly everyRecord?: boolean } | false;
  /**
   * Remove expired entries when the state is exported, so that keys that never come back do not
   * hold memory forever (Flink's `cleanupFullSnapshot`, which here also frees the memory).
   * Default `true`.
   */
  readonly cleanupOnSnapshot?: boolean;
}

/** A validated TTL configuration with every default filled in. */
export interface ResolvedTtl {
  readonly ttl: number;
  readonly refreshOnRead: boolean;
  readonly returnExpired: boolean;
  readonly cleanupSize: number;
  readonly cleanupEveryRecord: boolean;
  readonly cleanupOnSnapshot: boolean;
}

/** Validates a TTL configuration; throws `InvalidOptionError` naming the bad option. */
export function resolveTtl(config: StateTtlConfig | undefined, stateName: string): ResolvedTtl | undefined {
  if (config === undefined) return undefined;
  const where = `ttl of state ${JSON.stringify(stateName)}`;
  if (typeof config !== 'object' || config === null)
    throw new InvalidOptionError(where, config, 'must be an object such as { ttl: 60_000 }');
  const { ttl } = config;
  positiveInteger(`${where}.ttl`, ttl, 'milliseconds');
  const updateType = config.updateType ?? 'OnCreateAndWrite';
  if (updateType !== 'OnCreateAndWrite' && updateType !== 'OnReadAndWrite') {
    throw new InvalidOptionError(`${where}.updateType`, updateType, "must be 'OnCreateAndWrite' or 'OnReadAndWrite'");
  }
  const visibility = config.visibility ?? 'NeverReturnExpired';
  if (visibility !== 'NeverReturnExpired' && visibility !== 'ReturnExpiredIfNotCleanedUp') {
    throw new InvalidOptionError(
      `${where}.visibility`,
      visibility,
      "must be 'NeverReturnExpired' or 'ReturnExpiredIfNotCleanedUp'",
    );
  }
  const incremental = config.incrementalCleanup ?? { size: 5, everyRecord: false };
  let cleanupSize = 0;
  let cleanupEveryRecord = false;
  if (incremental !== false) {
    if (typeof incremental !== 'object' || incremental === null) {
      throw new InvalidOptionError(
        `${where}.incrementalCleanup`,
        incremental,
        'must be false or { size, everyRecord? }',
      );
    }
    cleanupSize = incremental.size;
    if (!Number.isSafeInteger(cleanupSize) || cleanupSize < 0) {
      throw new InvalidOptionError(`${where}.incrementalCleanup.size`, cleanupSize, 'must be a non-negative integer');
    }
    cleanupEveryRecord = incremental.everyRecord === true;
  }
  return {
    ttl,
    refreshOnRead: updateType === 'OnReadAndWrite',
    returnExpired: visibility === 'ReturnExpiredIfNotCleanedUp',
    cleanupSize,
    cleanupEveryRecord,
    cleanupOnSnapshot: config.cleanupOnSnapshot ?? true,
  };
}

/**
 * Whether an entry last refreshed at `timestamp` has expired at processing time `now`: its
 * expiration time `timestamp + ttl` has been reached (as Flink's TtlUtils.expired).
 */
export function isExpired(timestamp: number, ttl: number, now: number): boolean {
  return timestamp + ttl <= now;
}
