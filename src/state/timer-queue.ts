/**
 * The timer queue of one time domain, after Flink's heap priority queue set (HeapPriorityQueueSet),
 * as the timer service (timers.ts) uses it.
 *
 * The queue is a binary min-heap ordered by (time, registration order) plus an index per key for
 * deduplication and deletion. Deletion is lazy: a deleted timer stays in the heap until it reaches
 * the top, and the heap is rebuilt when stale entries outnumber live ones. Registration order breaks
 * ties, so timers of equal time fire in the order they were registered, also after export/import.
 */
import type { KeyPart } from '../core/keys.js';
import type { Namespace } from './state-types.js';
import type { KeyedRowSource } from './row-source.js';
import { eachTimerOfRows, timerCells, timerRow } from './timer-rows.js';
import type { InternalTimer } from './timer-types.js';

type Slot = number | string;

function slotOf(namespace: Namespace | undefined, time: number): Slot {
  return namespace === undefined ? time : `${typeof namespace}:${namespace}@${time}`;
}

/** A timer in the queue: `next`, the key's next timer in registration order (a chain, see `KeyTimers`). */
interface QueuedTimer extends InternalTimer {
  next: QueuedTimer | null;
}

/**
 * A key's timers in the index: a chain of its few timers in registration order (most keys have one
 * or two: a window's), scanned; or, beyond `SMALL`, a map by slot. A map per key with string slots,
 * at a million keys, made garbage collection the most of a checkpoint's cost, and an array per key
 * (with its store, two objects) was still traced by every collection (issue 16).
 */
type KeyTimers = QueuedTimer | Map<Slot, QueuedTimer>;
const SMALL = 16;

/** The timer of a key's timers at (namespace, time). */
function timerAt(timers: KeyTimers, namespace: Namespace | undefined, time: number): QueuedTimer | undefined {
  if (timers instanceof Map) return timers.get(slotOf(namespace, time));
  for (let t: QueuedTimer | null = timers; t !== null; t = t.next)
    if (t.time === time && t.namespace === namespace) return t;
  return undefined;
}

/** A key's timers as a list, in registration order for a chain. */
function listOf(timers: KeyTimers | undefined): QueuedTimer[] {
  if (timers === undefined) return [];
  if (timers instanceof Map) return [...timers.values()];
  const out: QueuedTimer[] = [];
  for (let t: QueuedTimer | null = timers; t !== null; t = t.next) out.push(t);
  return out;
}

/** Min-heap of timers with deduplication per (key, namespace, time) and lazy deletion. */
export class TimerQueue {
  #heap: QueuedTimer[] = [];
  /** Per key: its only timer, or a map of its timers by slot (most keys have one timer). */
  readonly #index = new Map<KeyPart, KeyTimers>();
  #size = 0;
  #seq = 0;
  /** While a restore adds timers: pushed without sifting, heapified at the end. */
  #bulk = false;
  /** Keys whose timers changed since the last export, once one was made. */
  #changed: Set<KeyPart> | undefined;

  /** Number of live (registered, not deleted, not fired) timers. */
  get size(): number {
    return this.#size;
  }

  /**
   * Registers a timer; returns false if the same (key, namespace, time) was already registered.
   * `seq`: its registration order, when restored (else the next).
   */
  add(id: KeyPart, keyGroup: number, namespace: Namespace | undefined, time: number, seq?: number): boolean {
    const existing = this.#index.get(id);
    // A chain's tail, found by the same walk that looks for a duplicate.
    let tail: QueuedTimer | null = null;
    let n = 0;
    if (existing instanceof Map) {
      if (existing.has(slotOf(namespace, time))) return false;
    } else
      for (let t = existing ?? null; t !== null; t = t.next, n++) {
        if (t.time === time && t.namespace === namespace) return false;
        tail = t;
      }
    const timer: QueuedTimer = { time, keyId: id, keyGroup, namespace, seq: seq ?? this.#seq++, next: null };
    if (existing === undefined) this.#index.set(id, timer);
    else if (existing instanceof Map) existing.set(slotOf(namespace, time), timer);
    else if (n < SMALL) tail!.next = timer;
    else {
      const timers = [...listOf(existing), timer];
      for (const t of timers) t.next = null;
      this.#index.set(id, new Map(timers.map((t) => [slotOf(t.namespace, t.time), t] as const)));
    }
    this.#size++;
    this.#changed?.add(id);
    this.#push(timer);
    return true;
  }

  /** Deletes a timer; returns false if there was none. */
  remove(id: KeyPart, namespace: Namespace | undefined, time: number): boolean {
    const existing = this.#index.get(id);
    if (existing === undefined) return false;
    if (existing instanceof Map) {
      if (!existing.delete(slotOf(namespace, time))) return false;
      if (existing.size === 0) this.#index.delete(id);
    } else if (!this.#unlink(id, existing, namespace, time)) return false;
    this.#size--;
    this.#changed?.add(id);
    // Rebuild when stale entries dominate, so repeated register/delete cannot grow the heap forever.
    if (this.#heap.length > 64 && this.#heap.length > 2 * this.#size) this.#rebuild();
    return true;
  }

  /** Takes the timer at (namespace, time) out of the chain `head` of key `id` (registration order kept: timersIn lists by it). */
  #unlink(id: KeyPart, head: QueuedTimer, namespace: Namespace | undefined, time: number): boolean {
    let prev: QueuedTimer | null = null;
    for (let t: QueuedTimer | null = head; t !== null; prev = t, t = t.next) {
      if (t.time !== time || t.namespace !== namespace) continue;
      if (prev !== null) prev.next = t.next;
      else if (t.next !== null) this.#index.set(id, t.next);
      else this.#index.delete(id);
      t.next = null;
      return true;
    }
    return false;
  }

  /** Whether this exact timer object is still registered (not deleted, not fired). */
  #isLive(timer: QueuedTimer): boolean {
    const existing = this.#index.get(timer.keyId);
    return existing !== undefined && timerAt(existing, timer.namespace, timer.time) === timer;
  }

  /** The earliest live timer, without removing it. */
  peek(): InternalTimer | undefined {
    const heap = this.#heap;
    while (heap.length > 0 && !this.#isLive(heap[0]!)) this.#pop();
    return heap[0];
  }

  /** Removes and returns the earliest live timer. */
  poll(): InternalTimer | undefined {
    const head = this.peek();
    if (head === undefined) return undefined;
    this.#pop();
    this.remove(head.keyId, head.namespace, head.time);
    return head;
  }

  /** Live timers in firing order. */
  toSortedArray(): InternalTimer[] {
    const live = this.#heap.filter((t) => this.#isLive(t));
    return live.sort(compare);
  }

  /** Live timers of one key. */
  timersOf(id: KeyPart): InternalTimer[] {
    return listOf(this.#index.get(id));
  }

  /** Live timers of one key in `namespace`, in registration order. */
  timersIn(id: KeyPart, namespace: Namespace | undefined): InternalTimer[] {
    return listOf(this.#index.get(id))
      .filter((t) => t.namespace === namespace)
      .sort((a, b) => a.seq - b.seq);
  }

  /** Whether the key has a live timer in `namespace`. */
  hasTimerIn(id: KeyPart, namespace: Namespace | undefined): boolean {
    return listOf(this.#index.get(id)).some((t) => t.namespace === namespace);
  }

  /** Removes every timer (and records their keys as changed for the next incremental checkpoint). */
  clear(): void {
    if (this.#changed !== undefined) for (const id of this.#index.keys()) this.#changed.add(id);
    this.#heap = [];
    this.#index.clear();
    this.#size = 0;
  }

  /**
   * This queue as rows per key for the key-grouped export (row-source.ts): one row per key,
   * `[keyGroup, time, seq, time, seq, ...]`, a timer with a namespace as a nested
   * `[time, seq, namespace]`. `seq` (registration order) keeps the firing order of equal times
   * across a restore. `what` names the domain in restore errors.
   */
  rowSource(name: string, uid: string | undefined, what: string): KeyedRowSource {
    return {
      name,
      forEachRow: (emit) => {
        // With each key's group, as its timers carry it: no lookup per row (keyed-export.ts).
        for (const [id, timers] of this.#index) {
          // (One timer passed as it is: no array made for it.)
          const row = timers instanceof Map ? timerRow(timers.values()) : chainRow(timers);
          emit(id, row, row[0] as number);
        }
      },
      takeChanged: () => {
        const changed = this.#changed;
        this.#changed = new Set();
        return changed;
      },
      rowOf: (id) => {
        const timers = listOf(this.#index.get(id));
        return timers.length === 0 ? undefined : timerRow(timers);
      },
      load: (keys, rows) => {
        this.clear();
        // With their stored registration order: each window's timers list as they did, and timers
        // of equal time fire as they would have. Added without sifting, then heapified once: no
        // object per timer read and no sort of all of them (a million keys' timers).
        let next = 0;
        this.#bulk = true;
        try {
          eachTimerOfRows(keys, rows, uid, what, (id, keyGroup, namespace, time, seq) => {
            this.add(id, keyGroup, namespace, time, seq);
            if (seq >= next) next = seq + 1;
          });
        } finally {
          this.#bulk = false;
        }
        this.#seq = next;
        // Every timer pushed was added (a duplicate is not pushed): heapified without a liveness check each.
        this.#heapify();
        this.forgetChanges();
      },
    };
  }

  /** Stops recording changes until the next export, which is then full. */
  forgetChanges(): void {
    this.#changed = undefined;
  }

  #rebuild(): void {
    this.#heap = this.#heap.filter((t) => this.#isLive(t));
    this.#heapify();
  }

  #heapify(): void {
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#siftDown(i);
  }

  #push(timer: QueuedTimer): void {
    const heap = this.#heap;
    heap.push(timer);
    if (this.#bulk) return; // (a restore heapifies once at its end)
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compare(heap[parent]!, timer) <= 0) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
  }

  #siftDown(start: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[start]!;
    let i = start;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && compare(heap[child + 1]!, heap[child]!) < 0) child++;
      if (compare(heap[child]!, item) >= 0) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = item;
  }
}

/** A chain of timers as one exported row (timer-rows.ts): no list of them made first. */
function chainRow(head: QueuedTimer): unknown[] {
  const row = timerRow(head);
  for (let t = head.next; t !== null; t = t.next) timerCells(row, t);
  return row;
}

function compare(a: InternalTimer, b: InternalTimer): number {
  return a.time - b.time || a.seq - b.seq;
}
