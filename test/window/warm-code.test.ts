// core/warm-code.ts: a pipeline's entry and chain are kept (for the code compiled for them) when it
// ends with its windows all fired; one that ends with windows open keeps nothing of its state. The
// results path keeps one delivered result and one subscription to nothing.
import { Subject, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  count,
  keyBy,
  toValues,
  tumblingEventTimeWindows,
  window,
  withEventTimeBatches,
} from '../../src/index.js';
import { warmCode } from '../../src/core/warm-code.js';

type Ev = { k: string; t: number };

function pipeline(input: Subject<Ev[]>, got: unknown[]) {
  return input
    .pipe(
      withEventTimeBatches({ timestamp: (e: Ev) => e.t, watermarks: boundedOutOfOrderness<Ev>(0).onEveryEvent() }),
      keyBy((e: Ev) => e.k),
      window<Ev, string>(tumblingEventTimeWindows(10)).aggregate(count()),
      toValues(),
    )
    .subscribe((r) => got.push(r.value));
}

describe('warm code', () => {
  it('keeps a finished pipeline, and one blank pane', () => {
    const before = warmCode.chain;
    const input = new Subject<Ev[]>();
    const got: unknown[] = [];
    pipeline(input, got);
    input.next([
      { k: 'a', t: 1 },
      { k: 'a', t: 2 },
    ]);
    input.complete();
    expect(got).toEqual([2]);
    expect(warmCode.entry).not.toBeNull();
    expect(warmCode.chain).not.toBeNull();
    expect(warmCode.chain).not.toBe(before);
    expect(warmCode.pane).not.toBeNull();
  });

  it("keeps the last pane's first delivered result, and a subscription that holds nothing", () => {
    const input = new Subject<Ev[]>();
    const got: unknown[] = [];
    pipeline(input, got);
    input.next([
      { k: 'a', t: 1 },
      { k: 'b', t: 2 },
      { k: 'a', t: 12 },
    ]);
    input.complete();
    expect(got).toEqual([1, 1, 1]);
    expect(warmCode.result).toEqual({
      key: 'a',
      window: { start: 10, end: 20 },
      value: 1,
      pane: { timing: 'ON_TIME', index: 0, isFirst: true, isLast: true },
    });
    const subscriber = warmCode.subscriber as Subscription;
    expect(subscriber.closed).toBe(false);
    pipeline(new Subject<Ev[]>(), got).unsubscribe();
    expect(warmCode.subscriber).toBe(subscriber); // made once
  });

  it('keeps nothing of a pipeline unsubscribed with windows open', () => {
    const before = warmCode.chain;
    const input = new Subject<Ev[]>();
    const got: unknown[] = [];
    const subscription = pipeline(input, got);
    input.next([{ k: 'a', t: 1 }]);
    subscription.unsubscribe();
    expect(got).toEqual([]);
    expect(warmCode.chain).toBe(before);
  });
});
