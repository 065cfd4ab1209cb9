import type { JobEdge, OperatorMetrics } from '../core/metrics/types.js';
import { setAttr, setText, svg } from './dom.js';
import { layoutGraph } from './layout.js';
import { backpressureLevel, formatCount, vertexBackpressure } from './levels.js';

const NODE_W = 196;
const NODE_H = 62;
const GAP_X = 56;
const GAP_Y = 16;
const PAD = 8;

interface NodeView {
  readonly group: SVGGElement;
  readonly box: SVGRectElement;
  readonly title: SVGTextElement;
  readonly detail: SVGTextElement;
  /** A parallel stage's subtasks: one strip each along the box's foot, coloured by its backpressure. */
  readonly subtasks: readonly SVGRectElement[];
}

/**
 * The job graph as SVG: one box per operator, coloured by its backpressure level, with its records
 * out per second and backpressure; a parallel stage's box has a strip per subtask along its foot,
 * coloured by that subtask's backpressure (a skewed key spreads unevenly). The boxes and edges are built again only when the graph's shape
 * changes (an operator or edge joins); a sample only updates texts and classes that changed.
 */
export class GraphView {
  readonly element: SVGSVGElement;
  readonly #edges: SVGGElement;
  readonly #nodes: SVGGElement;
  readonly #views = new Map<string, NodeView>();
  #shape = '';

  constructor() {
    this.element = svg('svg', { class: 'graph', role: 'img', 'aria-label': 'job graph' });
    const defs = svg('defs');
    const marker = svg('marker', {
      id: 'arrow',
      viewBox: '0 0 8 8',
      refX: 8,
      refY: 4,
      markerWidth: 7,
      markerHeight: 7,
      orient: 'auto',
    });
    marker.append(svg('path', { d: 'M0,0 L8,4 L0,8 z', class: 'arrow' }));
    defs.append(marker);
    this.#edges = svg('g');
    this.#nodes = svg('g');
    this.element.append(defs, this.#edges, this.#nodes);
  }

  update(operators: readonly OperatorMetrics[], edges: readonly JobEdge[]): void {
    const shape = `${operators.map((o) => o.id).join('\n')}|${edges.map((e) => `${e.from}>${e.to}`).join('\n')}`;
    if (shape !== this.#shape) this.#build(operators, edges, shape);
    for (const o of operators) {
      const view = this.#views.get(o.id)!;
      if (o.status === 'finished') {
        // Flink's Web UI greys a FINISHED vertex; its final count is what is left to read.
        setAttr(view.group, 'class', 'node finished');
        setAttr(view.group, 'data-level', 'FINISHED');
        setText(view.detail, `FINISHED · ${formatCount(o.numRecordsOut)} out`);
        continue;
      }
      const backpressured = vertexBackpressure(o);
      const level = backpressureLevel(backpressured);
      setAttr(view.group, 'class', `node ${level.toLowerCase()}`);
      view.subtasks.forEach((strip, i) => {
        const s = o.subtasks?.[i];
        const subLevel = s === undefined ? 'OK' : backpressureLevel(s.backPressuredTimeMsPerSecond);
        setAttr(strip, 'class', `subtask ${subLevel.toLowerCase()}`);
        setAttr(strip, 'data-level', subLevel);
      });
      setAttr(view.group, 'data-level', level);
      const bp = Math.round(backpressured / 10);
      setText(view.detail, `${formatCount(Math.round(o.numRecordsOutPerSecond))}/s out · ${level} ${bp}%`);
    }
  }

  #build(operators: readonly OperatorMetrics[], edges: readonly JobEdge[], shape: string): void {
    this.#shape = shape;
    const layout = layoutGraph(
      operators.map((o) => o.id),
      edges,
    );
    const at = (id: string) => {
      const p = layout.positions.get(id)!;
      return { x: PAD + p.column * (NODE_W + GAP_X), y: PAD + p.row * (NODE_H + GAP_Y) };
    };
    const width = PAD * 2 + layout.columns * NODE_W + Math.max(0, layout.columns - 1) * GAP_X;
    const height = PAD * 2 + layout.rows * NODE_H + Math.max(0, layout.rows - 1) * GAP_Y;
    setAttr(this.element, 'viewBox', `0 0 ${width} ${height}`);
    setAttr(this.element, 'width', String(width));
    setAttr(this.element, 'height', String(height));
    this.#edges.replaceChildren(
      ...edges
        .filter((e) => layout.positions.has(e.from) && layout.positions.has(e.to))
        .map((e) => {
          const a = at(e.from);
          const b = at(e.to);
          const x1 = a.x + NODE_W;
          const y1 = a.y + NODE_H / 2;
          const x2 = b.x;
          const y2 = b.y + NODE_H / 2;
          const mid = (x1 + x2) / 2;
          return svg('path', {
            class: 'edge',
            d: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`,
            'marker-end': 'url(#arrow)',
          });
        }),
    );
    const kept = new Set(operators.map((o) => o.id));
    for (const id of [...this.#views.keys()]) {
      if (kept.has(id)) continue;
      this.#views.get(id)!.group.remove();
      this.#views.delete(id);
    }
    for (const o of operators) {
      const view = this.#views.get(o.id) ?? this.#node(o);
      const { x, y } = at(o.id);
      setAttr(view.group, 'transform', `translate(${x},${y})`);
    }
  }

  #node(o: OperatorMetrics): NodeView {
    const group = svg('g', { 'data-id': o.id });
    const box = svg('rect', { width: NODE_W, height: NODE_H, rx: 6 });
    const title = svg('text', { x: 10, y: 18, class: 'title' });
    title.textContent = clip(o.name, 26);
    const kind = svg('text', { x: 10, y: 34, class: 'kind' });
    kind.textContent = clip(o.id === o.name ? o.kind : `${o.kind} · ${o.id}`, 34);
    const detail = svg('text', { x: 10, y: 52, class: 'detail' });
    const tooltip = svg('title');
    tooltip.textContent = `${o.id} (${o.kind})`;
    group.append(tooltip, box, title, kind, detail);
    const n = o.subtasks?.length ?? 0;
    const strip = (NODE_W - 12 - (n - 1) * 2) / Math.max(1, n);
    const subtasks = (o.subtasks ?? []).map((s, i) => {
      const rect = svg('rect', { x: 6 + i * (strip + 2), y: NODE_H - 7, width: strip, height: 4, 'data-id': s.id });
      const label = svg('title');
      label.textContent = s.name;
      rect.append(label);
      group.append(rect);
      return rect;
    });
    this.#nodes.append(group);
    const view = { group, box, title, detail, subtasks };
    this.#views.set(o.id, view);
    return view;
  }
}

/** A label cut to `max` characters with an ellipsis (the full text is in the node's tooltip). */
function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
