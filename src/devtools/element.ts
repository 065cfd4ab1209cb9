import type { Observable, Unsubscribable } from 'rxjs';
import type { Sampler } from '../core/metrics/collector.js';
import type { MetricsSnapshot } from '../core/metrics/types.js';
import type { Charts } from './charts.js';
import { el, setAttr, setText } from './dom.js';
import { GraphView } from './graph-view.js';
import { WatermarkLanes } from './lanes.js';
import { readOpen, writeOpen } from './storage.js';
import { PANEL_CSS } from './styles.js';
import { operatorRows } from './levels.js';
import { checkpointTable, exceptionTable, operatorTable } from './tables.js';

/** What the panel reads: a `PipelineMetrics` (or anything with its two methods). */
export interface DevtoolsMetrics {
  /**
   * A sampler of the panel's own, for the first drawing when the panel opens: `snapshot()` would
   * reset the rates the application's own `snapshot()` calls measure.
   */
  sampler(): Pick<Sampler, 'take'>;
  /** A snapshot every `intervalMs`: the panel's redraws while open. */
  updates(intervalMs?: number): Observable<MetricsSnapshot>;
}

/**
 * Who owns the pipeline's stored state: an `IndexedDbBackend` from `rxflink/idb` fits as it is
 * ('owner': this tab writes the checkpoints; 'read-only': another tab does).
 */
export interface StateOwner {
  readonly ownership: 'owner' | 'read-only';
  readonly readOnlyReason?: string | undefined;
}

/** What the element needs from `mountDevtools`, validated there. */
export interface PanelConfig {
  readonly metrics: DevtoolsMetrics;
  readonly intervalMs: number;
  readonly storageKey: string;
  readonly initialIsOpen: boolean;
  readonly stateOwner: StateOwner | null;
}

/** The custom element's tag. */
export const DEVTOOLS_TAG = 'rxflink-devtools';

/** The panel element's API (the class itself is defined on first mount: see `devtoolsElement`). */
export interface DevtoolsElement extends HTMLElement {
  configure(config: PanelConfig): void;
  readonly isOpen: boolean;
  setOpen(open: boolean): void;
}

/**
 * Defines the `<rxflink-devtools>` element class once and returns it. A function, not a top-level
 * class: `extends HTMLElement` would run at import, which fails outside a browser and is a side
 * effect a bundler must keep.
 */
export function devtoolsElement(): new () => DevtoolsElement {
  const defined = customElements.get(DEVTOOLS_TAG);
  if (defined !== undefined) return defined as new () => DevtoolsElement;

  class RxflinkDevtools extends HTMLElement implements DevtoolsElement {
    readonly #root = this.attachShadow({ mode: 'open' });
    readonly #graph = new GraphView();
    readonly #lanes = new WatermarkLanes();
    readonly #operators = operatorTable();
    readonly #checkpoints = checkpointTable();
    readonly #exceptions = exceptionTable();
    readonly #chartHost = el('div', 'chart-row');
    readonly #header = { job: el('span', 'job'), meta: el('span', 'meta'), owner: el('span', 'owner') };
    readonly #noCheckpoints = el('div', 'empty', 'No checkpoint yet');
    readonly #noExceptions = el('div', 'empty', 'No exception');
    #config: PanelConfig | null = null;
    #subscription: Unsubscribable | null = null;
    #charts: Charts | null = null;
    #chartsLoading = false;
    #latest: MetricsSnapshot | null = null;
    #frame = 0;

    constructor() {
      super();
      const style = el('style');
      style.textContent = PANEL_CSS;
      const toggle = el('button', 'toggle');
      toggle.setAttribute('part', 'toggle');
      toggle.setAttribute('aria-label', 'Open rxflink devtools');
      toggle.append(el('span', 'dot'), 'rxflink');
      toggle.addEventListener('click', () => this.setOpen(true));
      const close = el('button', 'close', 'Close');
      close.setAttribute('aria-label', 'Close rxflink devtools');
      close.addEventListener('click', () => this.setOpen(false));
      const header = el('header');
      header.append(
        el('span', 'brand', 'rxflink'),
        this.#header.job,
        this.#header.meta,
        el('span', 'spacer'),
        this.#header.owner,
        close,
      );
      const legend = el('span', 'legend');
      for (const [level, text] of [
        ['ok', 'OK ≤ 10%'],
        ['low', 'LOW ≤ 50%'],
        ['high', 'HIGH > 50%'],
      ] as const) {
        const item = el('span');
        item.append(el('i', level), text);
        legend.append(item);
      }
      const graphTitle = el('h2', '', 'Job graph · backpressure');
      graphTitle.append(legend);
      const graphWrap = el('div', 'graph-wrap');
      graphWrap.append(this.#graph.element);
      const body = el('div', 'body');
      body.append(
        section('graph wide', graphTitle, graphWrap),
        section('charts wide', el('h2', '', 'Throughput and watermark lag over time'), this.#chartHost),
        section('operators wide', el('h2', '', 'Operators'), this.#operators.element),
        section('watermarks', el('h2', '', 'Watermarks against processing time'), this.#lanes.element),
        section('checkpoints', el('h2', '', 'Checkpoints (last 10)'), this.#checkpoints.element, this.#noCheckpoints),
        section('exceptions wide', el('h2', '', 'Exceptions (last 10)'), this.#exceptions.element, this.#noExceptions),
      );
      const panel = el('div', 'panel');
      panel.setAttribute('role', 'region');
      panel.setAttribute('aria-label', 'rxflink devtools');
      panel.append(header, body);
      this.#root.append(style, toggle, panel);
    }

    configure(config: PanelConfig): void {
      this.#config = config;
      this.setOpen(readOpen(config.storageKey, config.initialIsOpen), false);
    }

    get isOpen(): boolean {
      return this.hasAttribute('data-open');
    }

    /** Opens or closes the panel; closed, it reads nothing (no subscription, no rendering). */
    setOpen(open: boolean, remember = true): void {
      const config = this.#config;
      if (config === null) return;
      if (remember) writeOpen(config.storageKey, open);
      this.toggleAttribute('data-open', open);
      if (!open) {
        this.#subscription?.unsubscribe();
        this.#subscription = null;
        return;
      }
      if (this.#subscription !== null) return;
      this.#loadCharts();
      // The graph and totals at once; rates, and the charts, from the first sample of `updates`.
      this.#receive(config.metrics.sampler().take(), false);
      this.#subscription = config.metrics.updates(config.intervalMs).subscribe({ next: (s) => this.#receive(s) });
    }

    disconnectedCallback(): void {
      this.#subscription?.unsubscribe();
      this.#subscription = null;
      cancelAnimationFrame(this.#frame);
      this.#frame = 0;
    }

    /** Keeps the latest sample and draws once per animation frame at most (none while the tab is hidden). */
    #receive(snapshot: MetricsSnapshot, chart = true): void {
      this.#latest = snapshot;
      if (chart) this.#pushToCharts(snapshot);
      if (this.#frame === 0) this.#frame = requestAnimationFrame(() => this.#render());
    }

    #render(): void {
      this.#frame = 0;
      const s = this.#latest;
      if (s === null || !this.isOpen) return;
      setText(this.#header.job, s.job);
      const { completed, failed, inProgress } = s.checkpoints;
      setText(
        this.#header.meta,
        `${s.operators.length} operators · checkpoints ${completed} completed, ${failed} failed${inProgress > 0 ? `, ${inProgress} in progress` : ''}`,
      );
      const owner = this.#config?.stateOwner ?? null;
      setText(
        this.#header.owner,
        owner === null
          ? 'State: not stored'
          : owner.ownership === 'owner'
            ? 'State owned by this tab'
            : 'State owned by another tab (read-only)',
      );
      setAttr(
        this.#header.owner,
        'class',
        `owner${owner === null ? '' : owner.ownership === 'owner' ? ' owner-this' : ' owner-other'}`,
      );
      setAttr(this.#header.owner, 'title', owner?.readOnlyReason ?? '');
      this.#graph.update(s.operators, s.edges);
      const rows = operatorRows(s.operators);
      this.#operators.update(rows);
      this.#lanes.update(rows, s.time);
      this.#checkpoints.update([...s.checkpoints.history].reverse());
      this.#exceptions.update([...s.exceptions].reverse());
      this.#noCheckpoints.hidden = s.checkpoints.history.length > 0;
      this.#noExceptions.hidden = s.exceptions.length > 0;
      this.#checkpoints.element.hidden = !this.#noCheckpoints.hidden;
      this.#exceptions.element.hidden = !this.#noExceptions.hidden;
    }

    /** uPlot and the chart code arrive on first open, as a separate chunk. */
    #loadCharts(): void {
      if (this.#charts !== null || this.#chartsLoading) return;
      this.#chartsLoading = true;
      import('./charts.js')
        .then(({ Charts }) => {
          this.#charts = new Charts(this.#chartHost);
        })
        .catch((error: unknown) => this.#chartsFailed(error));
    }

    #pushToCharts(snapshot: MetricsSnapshot): void {
      try {
        this.#charts?.push(snapshot);
      } catch (error) {
        this.#chartsFailed(error);
      }
    }

    /** Without uPlot (not installed) or a canvas, the panel shows everything but the charts. */
    #chartsFailed(error: unknown): void {
      this.#charts?.destroy();
      this.#charts = null;
      this.#chartHost.replaceChildren(
        el('div', 'note', `Charts unavailable: ${error instanceof Error ? error.message : String(error)}`),
      );
    }
  }

  customElements.define(DEVTOOLS_TAG, RxflinkDevtools);
  return RxflinkDevtools;
}

function section(className: string, ...children: Node[]): HTMLElement {
  const node = el('section', className);
  node.append(...children);
  return node;
}
