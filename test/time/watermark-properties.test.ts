import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Subject, type SchedulerLike } from 'rxjs';
import {
  Counters, SideOutput, boundedOutOfOrderness, withEventTime, type StreamElement, type StreamRecord,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';

describe('property: the entry operator', () => {
  it('never lets the watermark regress, and every record behind it is reported late, not forwarded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ts: fc.integer({ min: -500, max: 5000 }), advance: fc.integer({ min: 0, max: 150 }) }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 250 }),
        (events, delay, period) => {
          let clock = 0;
          const scheduler = { now: () => clock, schedule: () => ({ unsubscribe: () => undefined }) } as unknown as SchedulerLike;
          const late = new SideOutput<StreamRecord<number>>();
          const lateSeen: number[] = [];
          late.subscribe((r) => lateSeen.push(r.timestamp));
          const counters = new Counters();
          const input = new Subject<number>();
          const out: StreamElement<number>[] = [];
          input.pipe(
            withEventTime({ timestamp: (v: number) => v, watermarks: boundedOutOfOrderness<number>(delay).withPeriod(period), late, counters, scheduler }),
            unbatched(),
          ).subscribe((e) => out.push(e));
          for (const { ts, advance } of events) {
            clock += advance;
            input.next(ts);
          }
          input.complete();

          let current = -Infinity;
          let forwarded = 0;
          for (const element of out) {
            if (element.kind === 'watermark') {
              expect(element.timestamp).toBeGreaterThan(current);
              current = element.timestamp;
            } else if (element.kind === 'record') {
              expect(element.timestamp).toBeGreaterThan(current);
              forwarded++;
            }
          }
          expect(current).toBe(Infinity);
          expect(forwarded + lateSeen.length).toBe(events.length);
          expect(counters.get('lateRecords')).toBe(lateSeen.length);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
