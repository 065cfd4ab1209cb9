import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import {
  aggregatingState,
  listState,
  mapState,
  reducingState,
  record,
  toValues,
  valueState,
  type StateTtlConfig,
  type StreamElement,
} from '../../src/index.js';
import { KeyedStateBackend } from '../../src/engine/index.js';
import { keyBy, keyedProcess } from '../../src/keyed/index.js';
import { batched } from '../../src/testing/index.js';

function setup(ttl: StateTtlConfig) {
  const clock = { now: 0 };
  const b = new KeyedStateBackend({ uid: 'ttl', now: () => clock.now });
  return { clock, b, v: b.getState(valueState<string>('v', { ttl })) };
}

// Semantics of Flink's StateTtlConfig / TtlValueState (AbstractTtlDecorator.getWithTtlCheckAndUpdate).
describe('state TTL', () => {
  it('NeverReturnExpired: a value is visible until lastWrite + ttl, then never again', () => {
    const { clock, b, v } = setup({ ttl: 10 });
    b.setCurrentKey('k');
    v.update('x');
    clock.now = 9;
    expect(v.value()).toBe('x');
    clock.now = 10;
    expect(v.value()).toBeUndefined();
    clock.now = 5; // even if the clock were to go back, the expired entry is gone
    expect(v.value()).toBeUndefined();
  });

  it('OnCreateAndWrite: reads do not refresh; writes do', () => {
    const { clock, b, v } = setup({ ttl: 10, updateType: 'OnCreateAndWrite' });
    b.setCurrentKey('k');
    v.update('x');
    clock.now = 8;
    expect(v.value()).toBe('x');
    clock.now = 10;
    expect(v.value()).toBeUndefined();
    v.update('y');
    clock.now = 19;
    expect(v.value()).toBe('y');
  });

  it('OnReadAndWrite: every read refreshes the timestamp', () => {
    const { clock, b, v } = setup({ ttl: 10, updateType: 'OnReadAndWrite' });
    b.setCurrentKey('k');
    v.update('x');
    for (const t of [8, 16, 24, 32]) {
      clock.now = t;
      expect(v.value()).toBe('x');
    }
    clock.now = 42;
    expect(v.value()).toBeUndefined();
  });

  it('ReturnExpiredIfNotCleanedUp returns an expired value once, then it is cleaned up', () => {
    const { clock, b, v } = setup({ ttl: 10, visibility: 'ReturnExpiredIfNotCleanedUp', incrementalCleanup: false });
    b.setCurrentKey('k');
    v.update('x');
    clock.now = 50;
    expect(v.value()).toBe('x');
    expect(v.value()).toBeUndefined();
  });

  it('list and map state expire per element / entry; reducing state restarts after expiry', () => {
    const clock = { now: 0 };
    const b = new KeyedStateBackend({ now: () => clock.now });
    b.setCurrentKey(1);
    const l = b.getListState(listState<string>('l', { ttl: { ttl: 10 } }));
    const m = b.getMapState(mapState<string, number>('m', { ttl: { ttl: 10 } }));
    const r = b.getReducingState(reducingState<number>('r', (a, x) => a + x, { ttl: { ttl: 10 } }));
    l.add('old');
    m.put('old', 1);
    r.add(1);
    clock.now = 6;
    l.add('new');
    m.put('new', 2);
    r.add(2);
    clock.now = 12;
    expect(l.get()).toEqual(['new']);
    expect(m.entries()).toEqual([['new', 2]]);
    expect(r.get()).toBe(3); // written at 6: live until 16
    clock.now = 16;
    expect(l.get()).toEqual([]);
    expect(m.isEmpty()).toBe(true);
    expect(r.get()).toBeUndefined();
    r.add(5);
    expect(r.get()).toBe(5);
  });

  it('OnReadAndWrite refreshes list elements and map entries that are read; aggregating state expires as a whole', () => {
    const clock = { now: 0 };
    const b = new KeyedStateBackend({ now: () => clock.now });
    b.setCurrentKey('k');
    const ttl = { ttl: 10, updateType: 'OnReadAndWrite' as const };
    const l = b.getListState(listState<number>('l', { ttl }));
    const m = b.getMapState(mapState<string, number>('m', { ttl }));
    const a = b.getAggregatingState(
      aggregatingState(
        'a',
        {
          createAccumulator: () => 0,
          add: (v: number, acc: number) => acc + v,
          getResult: (acc: number) => acc,
        },
        { ttl: { ttl: 10 } },
      ),
    );
    l.add(1);
    m.put('x', 1);
    m.put('y', 2);
    a.add(4);
    clock.now = 8;
    expect(l.get()).toEqual([1]); // refreshed to 8
    expect(m.get('x')).toBe(1); // only x refreshed
    clock.now = 12;
    expect(l.get()).toEqual([1]);
    expect(m.entries()).toEqual([['x', 1]]);
    expect(a.get()).toBeUndefined();
    a.add(1);
    expect(a.get()).toBe(1);
  });

  it('incremental cleanup removes expired entries of keys that never come back, N per access', () => {
    const { clock, b, v } = setup({ ttl: 10, incrementalCleanup: { size: 3 } });
    for (let i = 0; i < 9; i++) {
      b.setCurrentKey(`old-${i}`);
      v.update('x');
    }
    clock.now = 100;
    b.setCurrentKey('fresh');
    v.update('y'); // checks 3 entries
    expect(b.entryCount('v')).toBe(7);
    v.value(); // 3 more
    v.value(); // 3 more
    v.value(); // the rest; the fresh entry stays
    expect(b.entryCount('v')).toBe(1);
  });

  it('incremental cleanup on every record (everyRecord), driven by the operator', () => {
    const { clock, b } = setup({ ttl: 10 });
    const s = b.getState(
      valueState<number>('per-record', { ttl: { ttl: 10, incrementalCleanup: { size: 2, everyRecord: true } } }),
    );
    for (let i = 0; i < 4; i++) {
      b.setCurrentKey(i);
      s.update(i);
    }
    clock.now = 20;
    b.onRecord();
    expect(b.entryCount('per-record')).toBe(2);
    b.onRecord();
    expect(b.entryCount('per-record')).toBe(0);
  });

  it('export drops expired entries (from memory too) and keeps TTL timestamps of live ones', () => {
    const { clock, b, v } = setup({ ttl: 10, incrementalCleanup: false });
    b.setCurrentKey('gone');
    v.update('x');
    clock.now = 5;
    b.setCurrentKey('kept');
    v.update('y');
    clock.now = 12;
    b.clearCurrentKey();
    const data = structuredClone(b.snapshot());
    expect(b.entryCount('v')).toBe(1);
    expect(Object.values(data.tables)).toEqual([{ kind: 'full', keys: ['kept'], values: [['y', 5]] }]);
    const c = setup({ ttl: 10 });
    c.clock.now = 12;
    c.b.restore(data);
    const v2 = c.b.getState(valueState<string>('v', { ttl: { ttl: 10 } }));
    c.b.setCurrentKey('kept');
    expect(v2.value()).toBe('y');
    c.clock.now = 15; // written at 5, ttl 10: expired at 15 after import too
    expect(v2.value()).toBeUndefined();
  });

  it('marble: TTL runs on the injected TestScheduler clock inside keyedProcess', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ cold, expectObservable }) => {
      const last = valueState<string>('last', { ttl: { ttl: 10 } });
      // a at 0 writes; b at 5 reads (visible); c at 15 reads (expired at 10), d at 16 reads c's write.
      const input = cold<StreamElement<string>>('a 4ms b 9ms c d|', {
        a: record('a', 0),
        b: record('b', 1),
        c: record('c', 2),
        d: record('d', 3),
      });
      const out = input.pipe(
        batched(),
        keyBy(() => 'user'),
        keyedProcess<string, string, string>({
          processElement(value, ctx) {
            const s = ctx.getState(last);
            ctx.output(`${value} saw ${s.value() ?? 'nothing'}`);
            s.update(value);
          },
        }),
        toValues(),
      );
      expectObservable(out).toBe('a 4ms b 9ms c d|', {
        a: 'a saw nothing',
        b: 'b saw a',
        c: 'c saw nothing',
        d: 'd saw c',
      });
    });
  });
});
