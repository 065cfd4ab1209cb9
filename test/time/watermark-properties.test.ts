import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Subject, type SchedulerLike } from 'rxjs';
import {
  Counters,
  SideOutput,
  boundedOutOfOrderness,
  customWatermarks,
  withEventTime,
  type StreamElement,
  type StreamRecord,
  type WatermarkOutput,
} from '../../src/index.js';
import { unbatched } from '../../src/testing/index.js';

describe('property: the entry operator', () => {
  it('never lets the watermark regress, and every record behind it is reported late, not forwarded', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ ts: fc.integer({ min: -500, max: 5000 }), advance: fc.integer({ min: 0, max: 150 }) }), {
          maxLength: 200,
        }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 1, max: 250 }),
        (events, delay, period) => {
          let clock = 0;
          const scheduler = {
            now: () => clock,
            schedule: () => ({ unsubscribe: () => undefined }),
          } as unknown as SchedulerLike;
          const late = new SideOutput<StreamRecord<number>>();
          const lateSeen: number[] = [];
          late.subscribe((r) => lateSeen.push(r.timestamp));
          const counters = new Counters();
          const input = new Subject<number>();
          const out: StreamElement<number>[] = [];
          input
            .pipe(
              withEventTime({
                timestamp: (v: number) => v,
                watermarks: boundedOutOfOrderness<number>(delay).withPeriod(period),
                late,
                counters,
                scheduler,
              }),
              unbatched(),
            )
            .subscribe((e) => out.push(e));
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

describe('property: the entry operator with any generator and idleness', () => {
  it('status alternates, records never travel on an idle stream, watermarks never regress, the end is +infinity', () => {
    const proposal = fc.oneof(
      fc.integer({ min: -100, max: 3000 }),
      fc.constant('idle' as const),
      fc.constant('active' as const),
      fc.constant('none' as const),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ts: fc.integer({ min: 0, max: 3000 }),
            advance: fc.integer({ min: 0, max: 400 }),
            onEvent: proposal,
          }),
          { maxLength: 100 },
        ),
        fc.array(proposal, { maxLength: 100 }),
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
        (events, periodic, period, idleTimeout) => {
          let clock = 0;
          const scheduler = {
            now: () => clock,
            schedule: () => ({ unsubscribe: () => undefined }),
          } as unknown as SchedulerLike;
          const apply = (p: (typeof events)[number]['onEvent'], o: WatermarkOutput): void => {
            if (p === 'idle') o.markIdle();
            else if (p === 'active') o.markActive();
            else if (p !== 'none') o.emitWatermark(p);
          };
          let strategy = customWatermarks<{ ts: number; onEvent: (typeof events)[number]['onEvent'] }>(() => {
            let i = 0;
            return {
              onEvent: (v, _t, o) => apply(v.onEvent, o),
              onPeriodicEmit: (o) => apply(periodic[i++ % Math.max(1, periodic.length)] ?? 'none', o),
            };
          }, period);
          if (idleTimeout !== undefined) strategy = strategy.withIdleness(idleTimeout);
          const input = new Subject<(typeof events)[number]>();
          const out: StreamElement<unknown>[] = [];
          input
            .pipe(withEventTime({ timestamp: (e) => e.ts, watermarks: strategy, scheduler }), unbatched())
            .subscribe((e) => out.push(e));
          for (const event of events) {
            clock += event.advance;
            input.next(event);
          }
          input.complete();

          let idle = false;
          let current = -Infinity;
          for (const element of out) {
            if (element.kind === 'status') {
              expect(element.idle).toBe(!idle); // only real changes travel
              idle = element.idle;
            } else if (element.kind === 'record') {
              expect(idle).toBe(false);
            } else if (element.kind === 'watermark') {
              expect(element.timestamp).toBeGreaterThan(current);
              current = element.timestamp;
            }
          }
          expect(idle).toBe(false);
          expect(out.at(-1)).toEqual({ kind: 'watermark', timestamp: Infinity });
          expect(out.filter((e) => e.kind === 'record')).toHaveLength(events.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
