/**
 * The context handed to process functions (Flink's ProcessFunction.Context / OnTimerContext and
 * KeyedProcessFunction's): timestamp, watermark, processing time, timer service, keyed state,
 * main and side output. One context object per operator is reused for every call, as in Flink's
 * KeyedProcessOperator; it is only usable while the call runs.
 */
import type { StreamElement } from '../core/elements.js';
import { NotKeyedError, StreamError } from '../core/errors.js';
import type { KeyPart } from '../core/keys.js';
import type { KeyedStateBackend } from '../state/backend.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/state-types.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../state/descriptors.js';
import type { InternalTimerService } from '../state/timers.js';

/** Which clock fired a timer (Flink's TimeDomain). */
export type TimeDomain = 'EVENT_TIME' | 'PROCESSING_TIME';

/** Registers and deletes the current key's timers (Flink's TimerService). */
export interface TimerService {
  /** Processing time now, from the operator's scheduler. */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark (-Infinity before the first). */
  currentWatermark(): number;
  /** Fires `onTimer` once the watermark reaches `time`. At most one timer per key and time. */
  registerEventTimeTimer(time: number): void;
  /** Fires `onTimer` once the scheduler's clock reaches `time`. At most one timer per key and time. */
  registerProcessingTimeTimer(time: number): void;
  /** Deletes the current key's event-time timer at `time`, so it never fires; does nothing if there is none. */
  deleteEventTimeTimer(time: number): void;
  /** Deletes the current key's processing-time timer at `time`, so it never fires; does nothing if there is none. */
  deleteProcessingTimeTimer(time: number): void;
}

/**
 * Where side-output values go: a `SideOutput` (src/rx/side-output.ts) or anything with `emit`, or
 * a plain function. The engine needs nothing more.
 */
export type SideOutputTarget<S> =
  | {
      /** Receives one side-output value, synchronously, while the process function's call runs. */
      emit(value: S): void;
    }
  | ((value: S) => void);

/** What a process function sees on a stream that need not be keyed. */
export interface ProcessContext<R> {
  /** The record's timestamp; in `onTimer`, the timer's time. */
  readonly timestamp: number;
  /** The operator's current watermark (-Infinity before the first). */
  readonly currentWatermark: number;
  /** Processing time now, from the injected scheduler. */
  currentProcessingTime(): number;
  /** Timers; on a stream without keys, registering one throws `NotKeyedError`. */
  readonly timerService: TimerService;
  /**
   * Emits a record on the main output. In `processElement` it gets the input record's timestamp,
   * in `onTimer` the timer's time (as Flink's TimestampedCollector).
   */
  output(value: R): void;
  /** Sends a value to a side output (Flink's `ctx.output(outputTag, value)`). */
  sideOutput<S>(target: SideOutputTarget<S>, value: S): void;
}

/** What a keyed process function sees: adds the key and the key's state. */
export interface KeyedProcessContext<K, R> extends ProcessContext<R> {
  /** The current key: the record's, or in `onTimer` the timer's. */
  readonly key: K;
  /**
   * The value state `descriptor` declares (Flink's `getRuntimeContext().getState`), read and written
   * for the current key. The first call restores the state a checkpoint holds under that name.
   * Throws `NotKeyedError` on a stream without keys, and `StateDescriptorError` if the name is
   * already declared as another kind of state or with other TTL settings.
   */
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  /** The list state `descriptor` declares, for the current key; throws as `getState` does. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** The map state `descriptor` declares, for the current key; throws as `getState` does. */
  getMapState<UK extends KeyPart, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  /** The reducing state `descriptor` declares, for the current key; throws as `getState` does. */
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  /** The aggregating state `descriptor` declares, for the current key; throws as `getState` does. */
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/** The context of `onTimer`: adds which clock fired the timer. */
export interface OnTimerContext<K, R> extends KeyedProcessContext<K, R> {
  readonly timeDomain: TimeDomain;
}

/** The context of a process function was used after the call it was given to returned. */
export class ProcessContextClosedError extends StreamError {
  constructor(what: string, uid: string | undefined) {
    super(
      'CONTEXT_CLOSED',
      `${what} was called on the context of operator ${uid === undefined ? '(no uid)' : JSON.stringify(uid)} after processElement/onTimer returned; ` +
        'emit only while the call runs (register a timer to emit later)',
    );
  }
}

/**
 * The one context object of an operator. `enter` makes it current for one call, `exit` closes it.
 * Keyed state and timers go through the backend and timer service, which refuse any use when the
 * backend has no current key: a non-keyed operator, or a callback that runs after the call.
 */
export class ContextImpl<K, R> implements OnTimerContext<K, R> {
  key!: K;
  timestamp = 0;
  timeDomain: TimeDomain = 'EVENT_TIME';
  readonly timerService: TimerService;
  #out: StreamElement<R, K>[] | undefined;
  #keyGroup = -1;

  readonly #uid: string | undefined;
  readonly #stateBackend: KeyedStateBackend | undefined;

  constructor(
    uid: string | undefined,
    backend: KeyedStateBackend | undefined,
    timers: InternalTimerService<R, K> | undefined,
    now: () => number,
    watermark: () => number,
  ) {
    this.#uid = uid;
    this.#stateBackend = backend;
    this.#now = now;
    this.#watermark = watermark;
    // Keyed context check first: on a non-keyed operator (no timer service) this throws.
    const service = (): { id: KeyPart; timers: InternalTimerService<R, K> } => {
      const id = backend?.currentKeyId;
      if (id === undefined || timers === undefined) throw new NotKeyedError('timers');
      return { id, timers };
    };
    this.timerService = {
      currentProcessingTime: now,
      currentWatermark: watermark,
      registerEventTimeTimer: (time) => {
        const s = service();
        s.timers.registerEventTimeTimer(s.id, this.#keyGroup, undefined, checkTime(time));
      },
      registerProcessingTimeTimer: (time) => {
        const s = service();
        s.timers.registerProcessingTimeTimer(s.id, this.#keyGroup, undefined, checkTime(time));
      },
      deleteEventTimeTimer: (time) => {
        const s = service();
        s.timers.deleteEventTimeTimer(s.id, undefined, time);
      },
      deleteProcessingTimeTimer: (time) => {
        const s = service();
        s.timers.deleteProcessingTimeTimer(s.id, undefined, time);
      },
    };
  }

  readonly #now: () => number;
  readonly #watermark: () => number;

  get currentWatermark(): number {
    return this.#watermark();
  }

  currentProcessingTime(): number {
    return this.#now();
  }

  enter(
    key: K,
    keyGroup: number,
    timestamp: number,
    out: StreamElement<R, K>[],
    domain: TimeDomain = 'EVENT_TIME',
  ): void {
    this.key = key;
    this.#keyGroup = keyGroup;
    this.timestamp = timestamp;
    this.timeDomain = domain;
    this.#out = out;
  }

  exit(): void {
    this.#out = undefined;
  }

  output(value: R): void {
    const out = this.#out;
    if (out === undefined) throw new ProcessContextClosedError('output', this.#uid);
    out.push({ kind: 'record', value, timestamp: this.timestamp, key: this.key, keyGroup: this.#keyGroup });
  }

  sideOutput<S>(target: SideOutputTarget<S>, value: S): void {
    if (this.#out === undefined) throw new ProcessContextClosedError('sideOutput', this.#uid);
    if (typeof target === 'function') target(value);
    else target.emit(value);
  }

  #backend(what: string): KeyedStateBackend {
    if (this.#stateBackend === undefined || this.#stateBackend.currentKeyId === undefined)
      throw new NotKeyedError(what);
    return this.#stateBackend;
  }

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.#backend(`keyed state ${JSON.stringify(descriptor.name)}`).getState(descriptor);
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.#backend(`keyed state ${JSON.stringify(descriptor.name)}`).getListState(descriptor);
  }

  getMapState<UK extends KeyPart, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV> {
    return this.#backend(`keyed state ${JSON.stringify(descriptor.name)}`).getMapState(descriptor);
  }

  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.#backend(`keyed state ${JSON.stringify(descriptor.name)}`).getReducingState(descriptor);
  }

  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.#backend(`keyed state ${JSON.stringify(descriptor.name)}`).getAggregatingState(descriptor);
  }
}

/** Timer times are event/processing times: numbers that are not NaN (±Infinity allowed, as Long.MIN/MAX). */
function checkTime(time: number): number {
  if (typeof time !== 'number' || Number.isNaN(time)) {
    throw new StreamError('INVALID_TIMER', `A timer time must be a number of milliseconds, got ${String(time)}`);
  }
  return time;
}
