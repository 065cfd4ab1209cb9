// The view: status line, counters, controls, and live uPlot charts fed from the Redux store.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { setDisorder, generator, store, testApi } from './app.js';
import { AREAS } from './generator.js';
import {
  selectCounters,
  selectStatus,
  sessionSelectors,
  windowSelectors,
  type AreaEntity,
  type AreaFigures,
} from './store.js';

const $ = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;
const COLORS = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2'];

const disorder = $<HTMLSelectElement>('disorder');
disorder.value = String(generator.disorder);
disorder.addEventListener('change', () => setDisorder(Number(disorder.value)));

function chart(id: string, areas: readonly string[]): uPlot {
  const el = $(id);
  return new uPlot(
    {
      width: Math.max(320, el.clientWidth || 460),
      height: 200,
      scales: { x: { time: true } },
      series: [
        {},
        ...areas.map((area, i) => ({ label: area, stroke: COLORS[i % COLORS.length]!, width: 2, spanGaps: true })),
      ],
    },
    [[], ...areas.map(() => [])],
    el,
  );
}

let areas: string[] = [...AREAS];
let charts = {
  count: chart('chart-count', areas),
  p95: chart('chart-p95', areas),
  errors: chart('chart-errors', areas),
};

/** One series per area, aligned on the window starts (seconds, as uPlot wants). */
function series(windows: readonly AreaEntity[], pick: (w: AreaFigures) => number): uPlot.AlignedData {
  const starts = [...new Set(windows.map((w) => w.start))].sort((a, b) => a - b);
  const index = new Map(starts.map((s, i) => [s, i]));
  const ys = areas.map(() => starts.map((): number | null => null));
  for (const w of windows) {
    const a = areas.indexOf(w.key);
    if (a >= 0) ys[a]![index.get(w.start)!] = pick(w.value);
  }
  return [starts.map((s) => s / 1_000), ...ys];
}

const fmt = (t: number | null) => (t === null ? '–' : new Date(t).toLocaleTimeString());
const OWNER = { 'this-tab': 'this tab', 'other-tab': 'another tab', unknown: '–' } as const;
let drawn: unknown;
function render(): void {
  const state = store.getState();
  const status = selectStatus(state);
  const counters = selectCounters(state);
  const checkpoint = status.lastCheckpoint;
  $('status').textContent =
    counters.waiting && status.owner === 'unknown'
      ? 'waiting — another tab owns this pipeline; this tab takes over when it closes'
      : `${status.phase} · owner: ${OWNER[status.owner]} · restored from checkpoint ${status.restoredFrom ?? '– (fresh start)'}` +
        (counters.outboxDrained > 0 ? ` · outbox: ${counters.outboxDrained} sent` : '') +
        (status.error === null ? '' : ` · ${status.error.name}: ${status.error.message}`);
  $('checkpoint').textContent =
    checkpoint === null
      ? '–'
      : `${checkpoint.id} at ${fmt(checkpoint.time)} (${status.checkpointsCompleted} this page)`;
  $('watermark').textContent =
    status.watermark === null ? '–' : `${fmt(status.watermark)} (lag ${((status.lagMs ?? 0) / 1_000).toFixed(1)} s)`;
  $('records').textContent = `${status.recordsIn} in · ${status.recordsOut} out`;
  $('invalid').textContent = String(counters.invalid);
  $('late').textContent = String(counters.late);
  $('read').textContent = String(counters.read);
  $('vitals').textContent = `web vitals: ${
    Object.entries(counters.vitals)
      .map(([n, v]) => `${n} ${n === 'CLS' ? v.toFixed(3) : Math.round(v)}`)
      .join(' · ') || '–'
  }`;
  const windows = windowSelectors.selectAll(state);
  if (windows !== drawn) {
    drawn = windows;
    $('windows').textContent = String(windows.length);
    const seen = [...new Set([...AREAS, ...windowSelectors.selectLatestPerKey(state).map((w) => w.key)])];
    if (seen.length !== areas.length) {
      areas = seen;
      for (const c of Object.values(charts)) c.destroy();
      charts = {
        count: chart('chart-count', areas),
        p95: chart('chart-p95', areas),
        errors: chart('chart-errors', areas),
      };
    }
    charts.count.setData(series(windows, (w) => w.count));
    charts.p95.setData(series(windows, (w) => w.p95));
    charts.errors.setData(series(windows, (w) => w.errors));
    const latest = [...sessionSelectors.selectLatestPerKey(state)].sort((a, b) => b.end - a.end).slice(0, 8);
    const rows = latest.map(
      (s) => `<tr><td>${s.key}</td><td>${fmt(s.start)}</td><td>${fmt(s.end)}</td><td>${s.value}</td></tr>`,
    );
    $('sessions').querySelector('tbody')!.innerHTML = rows.join('');
  }
}

// Redraw at most once per frame, whatever the rate of actions.
let frame = 0;
store.subscribe(() => {
  if (frame === 0)
    frame = requestAnimationFrame(() => {
      frame = 0;
      render();
    });
});
render();

(globalThis as unknown as { __telemetry: typeof testApi }).__telemetry = testApi;
