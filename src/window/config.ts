/**
 * The window operator's configuration, checked and resolved once when the pipeline is built, and
 * the little state both of its paths share: the watermark and where results go. Also the one place
 * late records are routed (Flink's `sideOutput(lateDataTag)` or `numLateRecordsDropped`).
 */
import { checkUid } from '../core/checkpointing.js';
import type { StreamRecord } from '../core/elements.js';
import { keyedRecord, MIN_WATERMARK } from '../core/elements.js';
import { InvalidOptionError } from '../core/errors.js';
import type { Counters } from '../core/counters.js';
import { keyGroupOf, type Key } from '../core/keys.js';
import type { OperatorRuntime } from '../core/operator.js';
import type { SideOutput } from '../rx/side-output.js';
import type { WindowAggregateFunction } from './aggregates.js';
import type { WindowAssigner } from './assigner-types.js';
import type { Evictor } from './evictors.js';
import type { Pane } from './panes.js';
import { eventTimeTrigger, type Trigger } from './triggers.js';
import {
  DROPPED_LATE,
  LATE_TO_SIDE_OUTPUT,
  type FusedKeyBy,
  type WindowFunction,
  type WindowOptions,
  type WindowResult,
} from './types.js';
import { incrementalOf, type Incremental } from './window-functions.js';
import type { GeneralPathRef } from './window-path.js';

/** In place of a key group: the record was keyed by the fused keyBy, and its group is not computed yet. */
export const FUSED_KEY_GROUP = -2;

/**
 * Validates a window configuration; throws InvalidOptionError naming the option.
 *
 * @example
 * ```ts
 * // internal: validateWindowConfig(tumblingEventTimeWindows(1000), { allowedLateness: -1 }) throws
 * ```
 */
export function validateWindowConfig<T, K>(assigner: WindowAssigner<T>, options: WindowOptions<T, K>): void {
  const lateness = options.allowedLateness ?? 0;
  if (
    typeof lateness !== 'number' ||
    Number.isNaN(lateness) ||
    lateness < 0 ||
    (lateness !== Infinity && !Number.isSafeInteger(lateness))
  ) {
    throw new InvalidOptionError(
      'allowedLateness',
      lateness,
      'must be a non-negative integer number of milliseconds (or Infinity)',
    );
  }
  // Before 0.2 the option was `{ registry, name }`: its reading code now comes with queryableWindows.
  if (options.queryable !== undefined && typeof options.queryable.read !== 'function') {
    throw new InvalidOptionError(
      'queryable',
      options.queryable.name,
      'must be made by queryableWindows(registry, name)',
    );
  }
  const trigger = options.trigger;
  const evictor = options.evictor;
  const general = trigger?.generalPath ?? evictor?.generalPath ?? assigner.generalPath;
  // The checks of what only the general path runs (triggers, merging, processing time) come with
  // it (general-config.ts). A trigger or evictor written by hand runs on that path, which only
  // comes with the descriptors that bring it (window-path.ts): with an assigner that does not,
  // defineTrigger or defineEvictor must attach it.
  if (general !== undefined) (general.check as (a: typeof assigner, o: typeof options) => void)(assigner, options);
  else if (trigger !== undefined && trigger !== eventTimeTrigger()) {
    throw new InvalidOptionError(
      'trigger',
      trigger?.name ?? 'custom trigger',
      `needs the window path that runs triggers, which ${assigner.name} does not bring: make it with defineTrigger(...)`,
    );
  } else if (evictor != null) {
    throw new InvalidOptionError(
      'evictor',
      evictor.name ?? 'custom evictor',
      `needs the window path that runs evictors, which ${assigner.name} does not bring: make it with defineEvictor(...)`,
    );
  }
  checkUid(options.uid);
}

/** What the window operator is built from: the assigner, the function, keying, and the options. */
export type WindowOperatorConfig<T, K, R> = {
  assigner: WindowAssigner<T>;
  fn: WindowFunction<T, R, K>;
  keyed: boolean;
  keyBy?: FusedKeyBy<T, K>;
} & WindowOptions<T, K>;

/**
 * The resolved configuration, read by both paths of the operator, plus the two things they share
 * while running: the watermark (`watermark`) and, with a fused `toValues`, the array results go to
 * (`values`). Plain fields, read on the hot path. Declared (`declare`) where the constructor sets
 * them: no class field is emitted that it then overwrites (about 190 bytes of every window bundle).
 */
export class WindowSetup<T, K, R> {
  declare readonly assigner: WindowAssigner<T>;
  declare readonly trigger: Trigger<T>;
  declare readonly evictor: Evictor<T> | null;
  declare readonly lateness: number;
  declare readonly lateOutput: SideOutput<StreamRecord<T, K>> | null;
  declare readonly counters: Counters | null;
  declare readonly keyed: boolean;
  declare readonly selectKey: ((value: T) => K) | null;
  declare readonly maxParallelism: number;
  declare readonly uid: string | null;
  declare readonly fn: WindowFunction<T, R, K>;
  declare readonly incremental: Incremental | null;
  /** The aggregate function of `aggregate(...)`, called directly on the pane paths (one call less than through `incremental`). */
  declare readonly aggregate: WindowAggregateFunction<T, unknown, unknown> | null;
  declare readonly runtime: OperatorRuntime;
  declare readonly eventTime: boolean;
  /** The default event-time trigger, inlined on the hot path (same behaviour as calling it). */
  declare readonly fastTrigger: boolean;
  declare readonly global: boolean;
  // Fixed-size assigner parameters, copied out for the hot path.
  declare readonly size: number;
  declare readonly slide: number;
  declare readonly offset: number;
  /** Whether the pane table (panes.ts) can hold this configuration's windows. */
  declare readonly paned: boolean;
  /**
   * The general path's factory, from the assigner, trigger or evictor that brings it (window-path.ts);
   * null when none does, which only the pane table's configuration allows.
   */
  declare readonly generalPath: GeneralPathRef | null;
  watermark = MIN_WATERMARK;
  values: (WindowResult<K, R> | Pane)[] | null = null;

  constructor(config: WindowOperatorConfig<T, K, R>, runtime: OperatorRuntime) {
    validateWindowConfig(config.assigner, config);
    const assigner = config.assigner;
    this.assigner = assigner;
    this.trigger = config.trigger ?? (assigner.defaultTrigger as Trigger<T>);
    this.evictor = config.evictor ?? null;
    this.lateness = config.allowedLateness ?? 0;
    this.lateOutput = config.lateOutput ?? null;
    this.counters = config.counters ?? null;
    this.keyed = config.keyed;
    this.selectKey = config.keyed && config.keyBy !== undefined ? config.keyBy.selectKey : null;
    this.maxParallelism = config.keyBy?.maxParallelism ?? 0;
    this.uid = config.uid ?? null;
    this.fn = config.fn;
    // With an evictor, the window keeps all elements and reduce/aggregate run at firing time.
    this.incremental =
      this.evictor === null ? incrementalOf(config.fn as WindowFunction<unknown, unknown, unknown>) : null;
    this.aggregate =
      this.evictor === null && config.fn.kind === 'aggregate'
        ? (config.fn.aggregate as WindowAggregateFunction<T, unknown, unknown>)
        : null;
    this.runtime = runtime;
    this.eventTime = assigner.eventTime;
    this.fastTrigger = this.trigger === eventTimeTrigger();
    this.global = assigner.kind === 'global';
    this.size = assigner.kind === 'fixed' ? assigner.size : 0;
    this.slide = assigner.kind === 'fixed' ? assigner.slide : 0;
    this.offset = assigner.kind === 'fixed' ? assigner.offset : 0;
    this.paned =
      assigner.kind === 'fixed' &&
      assigner.size === assigner.slide &&
      assigner.eventTime &&
      this.fastTrigger &&
      this.evictor === null;
    this.generalPath = this.trigger.generalPath ?? this.evictor?.generalPath ?? assigner.generalPath ?? null;
    if (!this.paned && this.generalPath === null) {
      throw new InvalidOptionError(
        'assigner',
        assigner.name,
        'needs the general window path, and neither it nor the trigger or evictor brings it',
      );
    }
  }

  /**
   * A record's key group: as keyBy attached it, or (for FUSED_KEY_GROUP) computed here, as the fused
   * keyBy would have, only for keys that need it (new or late ones).
   */
  groupOf(key: unknown, keyGroup: number): number {
    return keyGroup === FUSED_KEY_GROUP ? keyGroupOf(key as Key, this.maxParallelism) : keyGroup;
  }

  /**
   * Routes a late record to the late side output, or counts it as dropped. `record` is null when a
   * fused chain handed over value and timestamp only.
   */
  late(record: StreamRecord<T, K> | null, value: T, timestamp: number, key: unknown, keyGroup: number): void {
    if (this.lateOutput !== null) {
      this.counters?.add(LATE_TO_SIDE_OUTPUT);
      // A fused keyBy allocated no keyed record: make the one keyBy would have emitted.
      this.lateOutput.emit(
        this.selectKey === null && record !== null ? record : keyedRecord(value, timestamp, key as K, keyGroup),
      );
    } else {
      this.counters?.add(DROPPED_LATE);
    }
  }

  /** When a window ending at `maxTs` is cleaned up: Flink's `cleanupTime`, saturating. */
  cleanupTime(maxTs: number): number {
    if (this.global) return Infinity; // Flink sets no cleanup timer for "end of time"
    if (!this.eventTime) return maxTs;
    const cleanup = maxTs + this.lateness;
    return cleanup > Number.MAX_SAFE_INTEGER ? Infinity : cleanup; // saturating, as Flink's cleanupTime
  }
}
