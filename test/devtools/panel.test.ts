// @vitest-environment happy-dom
// Issue 13, rxflink/devtools: the element's logic in happy-dom (the rendering itself is checked in
// real Chromium by test/browser/devtools.test.ts). Metrics here are a Subject the test drives.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Observable, Subject } from 'rxjs';
import { InvalidOptionError, type MetricsSnapshot, type OperatorMetrics } from '../../src/index.js';
import {
  backpressureLevel,
  DEVTOOLS_TAG,
  mountDevtools,
  type DevtoolsHandle,
  type DevtoolsMetrics,
} from '../../src/devtools/index.js';

function operator(id: string, fields: Partial<OperatorMetrics> = {}): OperatorMetrics {
  return {
    id,
    name: id,
    kind: 'operator',
    uid: null,
    status: 'running',
    numRecordsIn: 0,
    numRecordsOut: 0,
    numRecordsInPerSecond: 0,
    numRecordsOutPerSecond: 0,
    currentInputWatermark: null,
    currentOutputWatermark: null,
    watermarkLagMs: null,
    numLateRecordsDropped: 0,
    numLateRecordsToSideOutput: 0,
    busyTimeMsPerSecond: 0,
    idleTimeMsPerSecond: 1000,
    backPressuredTimeMsPerSecond: 0,
    state: null,
    ...fields,
  };
}

function snapshot(time: number, operators: OperatorMetrics[], extra: Partial<MetricsSnapshot> = {}): MetricsSnapshot {
  return {
    job: 'clicks',
    time,
    operators,
    edges: operators.slice(1).map((o, i) => ({ from: operators[i]!.id, to: o.id })),
    checkpoints: { completed: 0, failed: 0, inProgress: 0, history: [] },
    exceptions: [],
    ...extra,
  };
}

/** Metrics whose samples the test pushes, counting subscribers of `updates`. */
class FakeMetrics implements DevtoolsMetrics {
  readonly samples = new Subject<MetricsSnapshot>();
  subscribers = 0;
  intervals: (number | undefined)[] = [];
  constructor(public current: MetricsSnapshot) {}
  sampled = 0;
  sampler(): { take(): MetricsSnapshot } {
    return {
      take: () => {
        this.sampled++;
        return this.current;
      },
    };
  }
  updates(intervalMs?: number): Observable<MetricsSnapshot> {
    this.intervals.push(intervalMs);
    return new Observable((subscriber) => {
      this.subscribers++;
      const sub = this.samples.subscribe(subscriber);
      return () => {
        this.subscribers--;
        sub.unsubscribe();
      };
    });
  }
}

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));
const root = (h: DevtoolsHandle) => h.element.shadowRoot!;
const cells = (h: DevtoolsHandle, id: string) =>
  [...root(h).querySelectorAll(`table.operators tr[data-key="${id}"] td`)].map((td) => td.textContent);

let handle: DevtoolsHandle | undefined;
beforeEach(() => localStorage.clear());
afterEach(() => handle?.unmount());

describe('backpressureLevel: Flink Web UI thresholds', () => {
  it('OK up to 10% of the time backpressured, LOW up to 50%, HIGH above', () => {
    expect([0, 100, 101, 500, 501, 1000].map(backpressureLevel)).toEqual(['OK', 'OK', 'LOW', 'LOW', 'HIGH', 'HIGH']);
  });
});

describe('mountDevtools', () => {
  it('mounts closed by default and then reads nothing: no subscription while closed', () => {
    const metrics = new FakeMetrics(snapshot(0, [operator('a')]));
    handle = mountDevtools(metrics);
    expect(document.body.querySelector(DEVTOOLS_TAG)).toBe(handle.element);
    expect(handle.isOpen).toBe(false);
    expect(metrics.subscribers).toBe(0);
  });

  it('open: draws the snapshot at once, then each sample, updating rows in place', async () => {
    const metrics = new FakeMetrics(
      snapshot(1000, [operator('src', { kind: 'source', numRecordsOut: 10 }), operator('map', { numRecordsIn: 10 })]),
    );
    handle = mountDevtools(metrics, { intervalMs: 250 });
    handle.open();
    expect(metrics.subscribers).toBe(1);
    expect(metrics.intervals).toEqual([250]);
    expect(metrics.sampled).toBe(1); // a sampler of its own: the application's snapshot() rates are left alone
    await frame();
    expect([...root(handle).querySelectorAll('svg .node')].map((n) => n.getAttribute('data-id'))).toEqual([
      'src',
      'map',
    ]);
    expect(root(handle).querySelectorAll('svg path.edge')).toHaveLength(1);
    const row = root(handle).querySelector('table.operators tr[data-key="map"]');
    const node = root(handle).querySelector('svg .node[data-id="map"]');
    expect(cells(handle, 'map')[4]).toBe('10');

    metrics.samples.next(
      snapshot(1500, [
        operator('src', { kind: 'source', numRecordsOut: 2500, backPressuredTimeMsPerSecond: 800 }),
        operator('map', { numRecordsIn: 2500, numRecordsInPerSecond: 4980 }),
      ]),
    );
    await frame();
    expect(root(handle).querySelector('table.operators tr[data-key="map"]')).toBe(row); // the same row, not a new one
    expect(root(handle).querySelector('svg .node[data-id="map"]')).toBe(node); // the graph is not rebuilt either
    expect(cells(handle, 'map').slice(2, 5)).toEqual(['5.0k', '0', '2.5k']);
    expect(cells(handle, 'src')[1]).toBe('HIGH 80%');
    expect(root(handle).querySelector('svg .node[data-id="src"]')!.getAttribute('data-level')).toBe('HIGH');
    expect(root(handle).querySelector('svg .node[data-id="map"]')!.getAttribute('data-level')).toBe('OK');
    // happy-dom has no canvas: the charts say so, and everything else is drawn.
    await expect
      .poll(() => root(handle!).querySelector('.chart-row .note')?.textContent)
      .toBe('Charts unavailable: no 2D canvas in this environment');
  });

  it('a finished operator is drawn FINISHED (grey) with its final count, in the graph and the table', async () => {
    const metrics = new FakeMetrics(
      snapshot(0, [
        operator('src', { kind: 'source', status: 'finished', numRecordsOut: 1200, backPressuredTimeMsPerSecond: 900 }),
        operator('map', { numRecordsIn: 1200 }),
      ]),
    );
    handle = mountDevtools(metrics, { initialIsOpen: true });
    await frame();
    const node = root(handle).querySelector('svg .node[data-id="src"]')!;
    expect(node.getAttribute('data-level')).toBe('FINISHED');
    expect(node.getAttribute('class')).toBe('node finished');
    expect(node.querySelector('.detail')!.textContent).toBe('FINISHED · 1.2k out');
    expect(cells(handle, 'src')[1]).toBe('FINISHED');
    expect(root(handle).querySelector('svg .node[data-id="map"]')!.getAttribute('data-level')).toBe('OK');
  });

  it('several samples within one frame are drawn once, with the latest', async () => {
    const metrics = new FakeMetrics(snapshot(0, [operator('a')]));
    handle = mountDevtools(metrics, { initialIsOpen: true });
    await frame();
    for (let i = 1; i <= 5; i++) metrics.samples.next(snapshot(i, [operator('a', { numRecordsIn: i * 100 })]));
    await frame();
    expect(cells(handle, 'a')[4]).toBe('500');
  });

  it('shows the checkpoint history newest first, the exceptions with their operator, and who owns the state', async () => {
    const checkpoint = {
      kind: 'checkpoint',
      status: 'completed',
      triggerTime: 0,
      durationMs: 12,
      alignmentMs: 3,
      backendWriteMs: 5,
      bytes: 2048,
      incremental: false,
      failure: null,
    } as const;
    const metrics = new FakeMetrics(
      snapshot(5000, [operator('a')], {
        checkpoints: {
          completed: 2,
          failed: 1,
          inProgress: 0,
          history: [
            { ...checkpoint, id: 1 },
            { ...checkpoint, id: 2 },
            { ...checkpoint, id: 3, status: 'failed', durationMs: null, bytes: null, failure: 'timeout' },
          ],
        },
        exceptions: [{ time: 4000, operator: 'a', name: 'AsyncRequestError', message: 'write failed' }],
      }),
    );
    handle = mountDevtools(metrics, {
      initialIsOpen: true,
      stateOwner: { ownership: 'read-only', readOnlyReason: 'another tab holds the lock' },
    });
    await frame();
    const rows = [...root(handle).querySelectorAll('table.checkpoints tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent),
    );
    expect(rows).toEqual([
      ['3', 'failed: timeout'],
      ['2', 'completed'],
      ['1', 'completed'],
    ]);
    expect(root(handle).querySelector('table.exceptions tbody td:nth-child(2)')!.textContent).toBe('a');
    expect(root(handle).querySelector('table.exceptions tbody td:nth-child(3)')!.textContent).toBe(
      'AsyncRequestError: write failed',
    );
    const owner = root(handle).querySelector('header .owner')!;
    expect(owner.textContent).toBe('State owned by another tab (read-only)');
    expect(owner.getAttribute('title')).toBe('another tab holds the lock');
  });

  it('watermark lanes: a bar from the output watermark to now, its length the lag', async () => {
    const metrics = new FakeMetrics(
      snapshot(100_000, [operator('a', { currentOutputWatermark: 95_000 }), operator('b')]),
    );
    handle = mountDevtools(metrics, { initialIsOpen: true });
    await frame();
    const lanes = [...root(handle).querySelectorAll('.lane')].map((l) => [
      l.querySelector('.lane-lag')!.textContent,
      (l.querySelector('.lane-bar') as HTMLElement).style.width,
    ]);
    expect(lanes).toEqual([
      ['lag 5.0 s', '50.0%'],
      ['no watermark', '0.0%'],
    ]); // the scale is 10 s
  });

  it("a parallel stage's subtasks: a row and a lane each under the stage, Flink's subtask names, their own levels", async () => {
    const sub = (i: number, fields: Partial<OperatorMetrics>) =>
      operator(`p[${i}]`, { name: `sums (${i + 1}/2)`, ...fields });
    const stage = operator('p', {
      name: 'parallel(sums)',
      numRecordsIn: 900,
      subtasks: [
        sub(0, {
          numRecordsIn: 600,
          numRecordsOut: 590,
          backPressuredTimeMsPerSecond: 700,
          currentOutputWatermark: 7_000,
        }),
        sub(1, {
          numRecordsIn: 300,
          numRecordsOut: 300,
          backPressuredTimeMsPerSecond: 0,
          currentInputWatermark: 9_000,
        }),
      ],
    });
    const metrics = new FakeMetrics(snapshot(10_000, [operator('src', { kind: 'source' }), stage, operator('sink')]));
    handle = mountDevtools(metrics, { initialIsOpen: true });
    await frame();
    const rows = [...root(handle).querySelectorAll<HTMLTableRowElement>('table.operators tbody tr')];
    expect(rows.map((r) => [r.dataset.key, r.className])).toEqual([
      ['src', 'ok'],
      ['p', 'high'], // a vertex at its most backpressured subtask's level, as in Flink's Web UI
      ['p[0]', 'high subtask'],
      ['p[1]', 'ok subtask'],
      ['sink', 'ok'],
    ]);
    const columns = (id: string) => {
      const c = cells(handle!, id);
      return [c[0], c[1], c[4], c[5], c[9]]; // name, backpressure, in, out, watermark
    };
    expect(columns('p[0]')).toEqual(['↳ sums (1/2)', 'HIGH 70%', '600', '590', '7.0 s']);
    expect(columns('p[1]')).toEqual(['↳ sums (2/2)', 'OK 0%', '300', '300', '9.0 s']); // its input watermark
    const lanes = [...root(handle).querySelectorAll<HTMLElement>('.lane')].map((l) => [
      l.dataset.id,
      l.querySelector('.lane-name')!.textContent,
      l.querySelector('.lane-lag')!.textContent,
    ]);
    expect(lanes.slice(1, 4)).toEqual([
      ['p', 'p', 'no watermark'],
      ['p[0]', '↳ sums (1/2)', 'lag 3.0 s'], // the subtask holding the stage back
      ['p[1]', '↳ sums (2/2)', 'lag 1.0 s'],
    ]);
    const strips = [...root(handle).querySelectorAll('svg .node[data-id="p"] rect.subtask')];
    expect(strips.map((r) => [r.getAttribute('data-id'), r.getAttribute('data-level')])).toEqual([
      ['p[0]', 'HIGH'],
      ['p[1]', 'OK'],
    ]);
    expect(root(handle).querySelector('svg .node[data-id="p"]')!.getAttribute('data-level')).toBe('HIGH');
    expect(cells(handle!, 'p')[1]).toBe('HIGH 70%');
  });

  it('close stops sampling, and open/closed is remembered in localStorage for the next mount', () => {
    const metrics = new FakeMetrics(snapshot(0, [operator('a')]));
    handle = mountDevtools(metrics);
    handle.open();
    handle.close();
    expect(metrics.subscribers).toBe(0);
    handle.open();
    handle.unmount();
    expect(metrics.subscribers).toBe(0); // unmounting stops sampling too
    handle = mountDevtools(metrics);
    expect(handle.isOpen).toBe(true);
    expect(localStorage.getItem('rxflink-devtools')).toBe('open');
  });

  it('a storage that throws is ignored: the panel opens and closes, and forgets', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'localStorage');
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get: () => {
        throw new DOMException('blocked', 'SecurityError');
      },
    });
    try {
      handle = mountDevtools(new FakeMetrics(snapshot(0, [])), { initialIsOpen: true });
      expect(handle.isOpen).toBe(true);
      handle.close();
      expect(handle.isOpen).toBe(false);
    } finally {
      Object.defineProperty(globalThis, 'localStorage', original!);
    }
  });

  it('bad options fail with InvalidOptionError naming the option', () => {
    const metrics = new FakeMetrics(snapshot(0, []));
    expect(() => mountDevtools({} as DevtoolsMetrics)).toThrow(InvalidOptionError);
    expect(() => mountDevtools(metrics, { intervalMs: 10 })).toThrow(/intervalMs/);
    expect(() => mountDevtools(metrics, { position: 'middle' as 'top-left' })).toThrow(/position/);
    expect(() => mountDevtools(metrics, { storageKey: '' })).toThrow(/storageKey/);
    expect(document.body.querySelector(DEVTOOLS_TAG)).toBeNull();
  });
});
