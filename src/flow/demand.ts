/**
 * Demand across asynchronous boundaries (docs/architecture.md §5), credit-based like Flink's network stack.
 *
 * RxJS pushes synchronously: when a pulled source calls `subscriber.next(batch)`, every synchronous
 * operator downstream runs inside that call, up to the first asynchronous boundary (an async map or
 * an async sink). So the call stack itself is the channel from the source to that boundary: the
 * source marks the delivery with its `FlowController` (`deliver`), and a bounded stage that receives
 * a batch reads `currentFlow()` and registers with the controller that delivered it. From then on the
 * source asks every registered stage for credit (records it can still take) before each pull and
 * pulls at most the smallest credit; a stage that frees room calls `signal()`.
 *
 * Why this design rather than an in-band control element or an explicit controller argument:
 * - it works through plain `pipe` with any synchronous operator in between, including ones that turn
 *   value batches into element batches (`withEventTimeBatches`) and know nothing about flow control;
 *   a control element cannot ride on a batch of plain values;
 * - merges need nothing special: a stage fed by two sources sees both controllers and stops both;
 * - the user wires nothing, and nothing is registered globally beyond the current delivery.
 * Registration happens even earlier, at subscription: RxJS subscribes synchronously from the last
 * operator up to the source, so a bounded stage marks its upstream subscription (`subscribeAs`) and
 * the pulled source it reaches attaches it before the first pull. Registration on delivery remains
 * for sources subscribed later (inside `concat`, `switchMap`, ...).
 * Each async stage is itself a controller for what it emits, so demand flows through a chain of
 * async stages: a full sink stops the async map before it, whose growing queue stops the source.
 * A stage that no pulled source feeds (a push-only input, or an operator such as `delay` in between)
 * cannot stop its producer; it enforces its bound with an overflow error instead, and `fromPush` is
 * the way to put such inputs behind a bounded buffer.
 */
import type { FlowMonitor } from './monitor.js';

/** A bounded stage as its upstream controllers see it. */
export interface FlowStage {
  readonly name: string;
  /** How many more records the stage accepts within its bound; 0 means "stop pulling". */
  credit(): number;
}

/**
 * The demand side of a source (or of an async stage, for what it emits): bounded stages downstream
 * register here, and the producer asks `credit()` before each pull.
 */
export class FlowController {
  readonly #stages = new Set<FlowStage>();
  readonly #onSignal: () => void;
  #probe = 1;

  /**
   * Where the stages reached by this producer report their metrics. An async stage sets it, for
   * what it emits, to the monitor of the source that feeds it, so a whole chain reports in one place.
   */
  monitor: FlowMonitor;

  constructor(
    /** The producer's name, for metrics and errors. */
    readonly name: string,
    monitor: FlowMonitor,
    onSignal: () => void,
  ) {
    this.monitor = monitor;
    this.#onSignal = onSignal;
  }

  /** Registers a stage reached by this producer's deliveries (idempotent). */
  register(stage: FlowStage): void {
    this.#stages.add(stage);
  }

  /** Removes a stage (it completed or was unsubscribed) and wakes the producer. */
  unregister(stage: FlowStage): void {
    if (this.#stages.delete(stage)) this.#onSignal();
  }

  /** Records the producer may emit now: the smallest credit of its stages; Infinity if none. */
  credit(): number {
    let credit = Infinity;
    for (const stage of this.#stages) {
      const c = stage.credit();
      if (c < credit) credit = c;
    }
    return credit;
  }

  /**
   * How many values to pull now, at most `batchSize`: the smallest credit downstream. Until a stage
   * has registered, a stage may still be on the way (it registers when the first batch reaches it),
   * so pulls start at one value and double up to `batchSize` (a slow start, as TCP's): the first
   * batch a stage sees then never exceeds its bound, and a pipeline without async stages reaches
   * full batches after log2(batchSize) pulls.
   */
  pullSize(batchSize: number): number {
    if (this.#stages.size === 0) {
      const n = Math.min(batchSize, this.#probe);
      if (this.#probe < batchSize) this.#probe *= 2;
      return n;
    }
    return Math.min(batchSize, this.credit());
  }

  /** Number of registered stages. */
  get stages(): number {
    return this.#stages.size;
  }

  /** A stage freed room: the producer re-reads `credit()` (on its scheduler, never re-entrantly). */
  signal(): void {
    this.#onSignal();
  }
}

let current: FlowController | undefined;
let subscribing: Upstreams | undefined;

/**
 * Runs `subscribe` (a synchronous `source.subscribe(...)`) on behalf of a bounded stage: a pulled
 * source (or async stage) reached synchronously attaches the stage before it emits anything.
 * `undefined` hides the running mark (a buffer subscribing to its own push input does this).
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * // Inside a custom bounded stage's subscribe function:
 * const upstreams = new Upstreams(stage);
 * const subscription = subscribeAs(upstreams, () => source.subscribe(observer));
 * ```
 */
export function subscribeAs<R>(stage: Upstreams | undefined, subscribe: () => R): R {
  const previous = subscribing;
  subscribing = stage;
  try {
    return subscribe();
  } finally {
    subscribing = previous;
  }
}

/**
 * Producers call this when they are subscribed: attaches the bounded stage whose upstream
 * subscription is running, if any, so that it limits the very first pull. An async stage in between
 * marks its own upstream subscription, so a stage attaches only to its nearest producers.
 *
 * Example (an internal helper, so not compiled against the package by check:examples):
 * ```ts
 * // Inside a custom pulled source's subscribe function:
 * const controller = new FlowController('my source', monitor, wake);
 * attachSubscribingStage(controller);
 * ```
 */
export function attachSubscribingStage(controller: FlowController): void {
  subscribing?.attach(controller);
}

/**
 * Runs `emit` (a synchronous `subscriber.next(...)`) as a delivery of `controller`: bounded stages
 * reached synchronously see it through `currentFlow()`. Nested deliveries restore the outer one.
 *
 * @example
 * ```ts
 * import { asyncScheduler, Observable } from 'rxjs';
 * import { deliver, FlowController, FlowMonitor } from 'rxflink/engine';
 *
 * // A source of `rows` in batches, never faster than the bounded stages downstream take them.
 * const rowsPaced = (batchSize: number) => new Observable<readonly Row[]>((subscriber) => {
 *   let next = 0;
 *   const pull = (): void => {
 *     while (next < rows.length && !subscriber.closed) {
 *       const n = controller.pullSize(batchSize); // the smallest credit downstream; 0: all full
 *       if (n === 0) return; // a stage that frees room signals, and `pull` runs again
 *       const values = rows.slice(next, (next += n));
 *       // An async stage reached by this `next` registers with `controller`.
 *       deliver(controller, () => subscriber.next(values));
 *     }
 *     if (next === rows.length) subscriber.complete();
 *   };
 *   const controller = new FlowController('rows', new FlowMonitor(), () => asyncScheduler.schedule(pull));
 *   pull();
 * });
 * ```
 */
export function deliver(controller: FlowController, emit: () => void): void {
  const previous = current;
  current = controller;
  try {
    emit();
  } finally {
    current = previous;
  }
}

/**
 * The controller whose delivery is running now, if any. Bounded stages call this on input.
 *
 * @example
 * ```ts
 * import { currentFlow, type FlowStage } from 'rxflink/engine';
 *
 * // A custom bounded stage of at most 1000 rows. Registered with the source that delivered a batch,
 * // it is asked for credit before each pull from then on. (`Upstreams.capture()` does this and
 * // also remembers the source, to wake it with `signal()` once the stage has room again.)
 * const held: Row[] = [];
 * const stage: FlowStage = { name: 'my-buffer', credit: () => 1_000 - held.length };
 * fromIterable(rows, { batchSize: 100 }).subscribe((batch) => {
 *   currentFlow()?.register(stage);
 *   held.push(...batch);
 * });
 * ```
 */
export function currentFlow(): FlowController | undefined {
  return current;
}

/**
 * The upstream side of a bounded stage: remembers the controllers that delivered to it, so that it
 * can wake them when it frees room and leave them when it ends.
 */
export class Upstreams {
  readonly #controllers = new Set<FlowController>();
  #turn = 0;
  readonly #onAttach: ((controller: FlowController) => void) | undefined;

  constructor(
    readonly stage: FlowStage,
    onAttach?: (controller: FlowController) => void,
  ) {
    this.#onAttach = onAttach;
  }

  /** Registers the stage with a producer (idempotent). */
  attach(controller: FlowController): void {
    if (this.#controllers.has(controller)) return;
    this.#controllers.add(controller);
    controller.register(this.stage);
    this.#onAttach?.(controller);
  }

  /**
   * Registers with the controller of the running delivery. Returns it if there is one: the input
   * is paced (its producer respects credit).
   */
  capture(): FlowController | undefined {
    const controller = current;
    if (controller !== undefined) this.attach(controller);
    return controller;
  }

  /** Number of producers the stage is attached to. */
  get size(): number {
    return this.#controllers.size;
  }

  /**
   * Wakes every producer: the stage has room again. The first one woken takes the credit, so the
   * order rotates at each signal: merged sources share a slow stage in turn instead of the first
   * one starving the others.
   */
  signal(): void {
    if (this.#controllers.size === 1) {
      for (const c of this.#controllers) c.signal();
      return;
    }
    const controllers = [...this.#controllers];
    const n = controllers.length;
    if (n === 0) return;
    const start = this.#turn++ % n;
    for (let i = 0; i < n; i++) controllers[(start + i) % n]!.signal();
  }

  /** Leaves every producer (the stage ended); they pull again without waiting for it. */
  release(): void {
    for (const c of this.#controllers) c.unregister(this.stage);
    this.#controllers.clear();
  }
}
