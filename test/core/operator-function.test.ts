import { describe, expect, it } from 'vitest';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import {
  END_OF_STREAM,
  record,
  watermark,
  type StreamBatch,
  type StreamRecord,
  type Watermark,
} from '../../src/index.js';
import { fromStreamOperator, type OperatorRuntime, type Output, type StreamOperator } from '../../src/engine/index.js';
import { batched, OperatorHarness, unbatched } from '../../src/testing/index.js';

/** Emits "tick@t" `delay` ms of processing time after each record; counts watermarks it saw. */
class DelayedEcho implements StreamOperator<string, undefined, string, undefined> {
  watermarks: number[] = [];
  disposed = false;
  constructor(
    private readonly runtime: OperatorRuntime,
    private readonly delay: number,
  ) {}
  processRecord(input: StreamRecord<string>, _out: Output<string>): void {
    const at = this.runtime.processingTime.now() + this.delay;
    this.runtime.processingTime.schedule<string, undefined>(at, (out) =>
      out.push(record(`${input.value}@${at}`, input.timestamp)),
    );
  }
  processWatermark(w: Watermark, out: Output<string>): void {
    this.watermarks.push(w.timestamp);
    out.push(w);
  }
  dispose(): void {
    this.disposed = true;
  }
}

describe('fromStreamOperator (the RxJS adapter)', () => {
  it('runs processing-time timers on the injected scheduler', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ hot, expectObservable }) => {
      const input = hot<ReturnType<typeof record<string>>>('a---b---', { a: record('a', 1), b: record('b', 2) });
      const op = fromStreamOperator((rt) => new DelayedEcho(rt, 2), { scheduler: undefined });
      // Without a scheduler option the adapter uses asyncScheduler, which TestScheduler.run patches.
      expectObservable(input.pipe(batched(), op, unbatched())).toBe('--x---y-', {
        x: record('a@2', 1),
        y: record('b@6', 2),
      });
    });
  });

  it('processes the end-of-stream watermark once when the input completes without it', () => {
    const ops: DelayedEcho[] = [];
    const subject = new Subject<StreamBatch<string>>();
    const seen: unknown[] = [];
    subject
      .pipe(
        fromStreamOperator((rt) => {
          const op = new DelayedEcho(rt, 1);
          ops.push(op);
          return op;
        }),
      )
      .subscribe({ next: (b) => seen.push(...b), complete: () => seen.push('complete') });
    subject.next([watermark(5)]);
    subject.complete();
    expect(ops[0]!.watermarks).toEqual([5, Infinity]);
    expect(seen).toEqual([watermark(5), END_OF_STREAM, 'complete']);
  });

  it('does not process a second end-of-stream watermark when the input already sent one', () => {
    const ops: DelayedEcho[] = [];
    const subject = new Subject<StreamBatch<string>>();
    subject
      .pipe(
        fromStreamOperator((rt) => {
          const op = new DelayedEcho(rt, 1);
          ops.push(op);
          return op;
        }),
      )
      .subscribe();
    subject.next([END_OF_STREAM]);
    subject.complete();
    expect(ops[0]!.watermarks).toEqual([Infinity]);
  });

  it('cancels pending timers and disposes the operator on unsubscribe', () => {
    const scheduler = new TestScheduler(() => undefined);
    const ops: DelayedEcho[] = [];
    const subject = new Subject<StreamBatch<string>>();
    const seen: unknown[] = [];
    const subscription = subject
      .pipe(
        fromStreamOperator(
          (rt) => {
            const op = new DelayedEcho(rt, 10);
            ops.push(op);
            return op;
          },
          { scheduler },
        ),
      )
      .subscribe((b) => seen.push(...b));
    subject.next([record('a', 1)]);
    subscription.unsubscribe();
    scheduler.flush();
    expect(seen).toEqual([]);
    expect(ops[0]!.disposed).toBe(true);
  });
});

describe('OperatorHarness', () => {
  it('fires processing-time timers in time order when time advances', () => {
    const harness = new OperatorHarness((rt) => new DelayedEcho(rt, 5));
    harness.process(record('a', 1));
    harness.advanceProcessingTime(3).process(record('b', 2));
    expect(harness.pendingTimers).toBe(2);
    harness.advanceProcessingTime(4);
    expect(harness.recordsOut()).toEqual([]);
    harness.advanceProcessingTime(100);
    expect(harness.recordsOut()).toEqual([
      ['a@5', 1],
      ['b@8', 2],
    ]);
  });
});
