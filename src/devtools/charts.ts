// Loaded only when the panel first opens (a dynamic import from the element), with uPlot: a page
// that mounts the devtools closed never downloads a chart library.
import uPlot from 'uplot';
import type { MetricsSnapshot } from '../core/metrics/types.js';
import { formatClock, formatCount, formatDuration, watermarkLag } from './levels.js';

/** How many samples a chart keeps (at the default 500 ms: the last minute). */
const HISTORY = 120;
/** Series colours, distinguishable on the panel's dark background. */
const PALETTE = ['#4fc3f7', '#ffb74d', '#81c784', '#ba68c8', '#e57373', '#fff176', '#4db6ac', '#f06292'];
/** At most this many operators get a line each; a larger graph shows its first ones. */
const MAX_SERIES = 8;

/** The part of uPlot's stylesheet the charts need, for the panel's shadow root (page CSS cannot reach it). */
const CHART_CSS = `
.uplot, .uplot * { box-sizing: border-box; }
.uplot { font: inherit; width: min-content; }
.u-title { text-align: left; font-size: 12px; font-weight: 600; color: #cfd8dc; padding: 0 0 2px 4px; }
.u-wrap { position: relative; user-select: none; }
.u-over, .u-under { position: absolute; }
.u-under { overflow: hidden; }
.uplot canvas { display: block; position: relative; width: 100%; height: 100%; }
.u-axis { position: absolute; }
.u-legend { font-size: 11px; margin: 0; text-align: left; color: #b0bec5; }
.u-inline { display: block; }
.u-inline * { display: inline-block; }
.u-inline tr { margin-right: 10px; }
.u-legend th { font-weight: 500; }
.u-legend th > * { vertical-align: middle; display: inline-block; }
.u-legend .u-marker { width: 0.8em; height: 0.8em; margin-right: 4px; background-clip: padding-box !important; }
.u-inline.u-live th::after { content: ":"; vertical-align: middle; }
.u-inline:not(.u-live) .u-value { display: none; }
.u-series > * { padding: 2px; }
.u-legend .u-off > * { opacity: 0.3; }
.u-select { background: rgba(255,255,255,0.07); position: absolute; pointer-events: none; }
.u-cursor-x, .u-cursor-y { position: absolute; left: 0; top: 0; pointer-events: none; }
.u-hz .u-cursor-x { height: 100%; border-right: 1px dashed #78909c; }
.u-hz .u-cursor-y { width: 100%; border-bottom: 1px dashed #78909c; }
.u-cursor-pt { position: absolute; top: 0; left: 0; border-radius: 50%; border: 0 solid; pointer-events: none; background-clip: padding-box !important; }
.u-axis.u-off, .u-select.u-off, .u-cursor-x.u-off, .u-cursor-y.u-off, .u-cursor-pt.u-off { display: none; }
`;

interface Chart {
  readonly title: string;
  readonly value: (snapshot: MetricsSnapshot, operator: number) => number | null;
  readonly format: (value: number) => string;
  plot: uPlot | null;
  ids: string;
  slot?: HTMLDivElement;
}

/**
 * Two streaming line charts over processing time, one line per operator: records out per second,
 * and watermark lag (processing time − output watermark), so a falling-behind operator shows as a
 * rising line. Each sample appends to a ring of the last `HISTORY` samples and redraws the chart's
 * canvas (uPlot's setData); the charts are built again only when the operators change.
 */
export class Charts {
  readonly #host: HTMLElement;
  readonly #times: number[] = [];
  readonly #values: (number | null)[][][] = [[], []];
  readonly #charts: Chart[] = [
    {
      title: 'Records out per second',
      value: (s, i) => s.operators[i]!.numRecordsOutPerSecond,
      format: formatCount,
      plot: null,
      ids: '',
    },
    {
      title: 'Watermark lag',
      value: (s, i) => {
        const lag = watermarkLag(s.operators[i]!, s.time);
        return lag === null ? null : Math.max(0, lag);
      },
      format: (ms) => formatDuration(ms),
      plot: null,
      ids: '',
    },
  ];

  constructor(host: HTMLElement) {
    // uPlot draws on a canvas, and would fail later, asynchronously, without one (a DOM emulation).
    if (document.createElement('canvas').getContext('2d') === null) throw new Error('no 2D canvas in this environment');
    this.#host = host;
    const style = document.createElement('style');
    style.textContent = CHART_CSS;
    host.append(style);
    for (const chart of this.#charts) {
      chart.slot = document.createElement('div');
      chart.slot.className = 'chart';
      host.append(chart.slot);
    }
  }

  push(snapshot: MetricsSnapshot): void {
    const operators = snapshot.operators.slice(0, MAX_SERIES);
    this.#times.push(snapshot.time / 1000);
    if (this.#times.length > HISTORY) this.#times.shift();
    this.#charts.forEach((chart, c) => {
      const ids = operators.map((o) => o.id).join('\n');
      const columns = this.#values[c]!;
      if (ids !== chart.ids) {
        // A new operator: its past is unknown (null); columns follow the snapshot's operator order.
        const previous = new Map(
          chart.ids === '' ? [] : chart.ids.split('\n').map((id, i) => [id, columns[i]!] as const),
        );
        columns.length = 0;
        for (const o of operators) columns.push(previous.get(o.id) ?? this.#times.slice(1).map(() => null));
        chart.ids = ids;
        chart.plot?.destroy();
        chart.plot = this.#plot(
          chart,
          chart.slot!,
          operators.map((o) => o.id),
        );
      }
      operators.forEach((_, i) => {
        const column = columns[i]!;
        column.push(chart.value(snapshot, i));
        while (column.length > this.#times.length) column.shift();
      });
      chart.plot!.setData([this.#times, ...columns] as uPlot.AlignedData);
    });
  }

  destroy(): void {
    for (const chart of this.#charts) {
      chart.plot?.destroy();
      chart.plot = null;
      chart.ids = '';
    }
    this.#host.replaceChildren();
  }

  #plot(chart: Chart, target: HTMLElement, names: readonly string[]): uPlot {
    const axis = {
      stroke: '#90a4ae',
      grid: { stroke: 'rgba(255,255,255,0.08)', width: 1 },
      ticks: { stroke: 'rgba(255,255,255,0.15)', width: 1 },
    };
    return new uPlot(
      {
        title: chart.title,
        width: 520,
        height: 170,
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          {
            ...axis,
            space: 70,
            incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600],
            values: (_u, ticks) => ticks.map((t) => formatClock(t * 1000)),
          },
          { ...axis, size: 64, values: (_u, ticks) => ticks.map((t) => chart.format(t)) },
        ],
        series: [
          {},
          ...names.map((name, i) => ({
            label: name,
            stroke: PALETTE[i % PALETTE.length]!,
            width: 1.5,
            points: { show: false },
          })),
        ],
      },
      [this.#times, ...names.map(() => [])] as uPlot.AlignedData,
      target,
    );
  }
}
