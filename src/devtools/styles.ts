/** The panel's stylesheet, inside its shadow root: the page's CSS cannot reach it, nor it the page. */
export const PANEL_CSS = `
:host { all: initial; position: fixed; z-index: 2147483000; font: 12px/1.4 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #e0e6ea; }
:host([data-position="bottom-right"]) { right: 12px; bottom: 12px; }
:host([data-position="bottom-left"]) { left: 12px; bottom: 12px; }
:host([data-position="top-right"]) { right: 12px; top: 12px; }
:host([data-position="top-left"]) { left: 12px; top: 12px; }
:host([data-open]) { left: 0; right: 0; bottom: 0; top: auto; }
.toggle { display: flex; align-items: center; gap: 6px; padding: 6px 12px; border: 1px solid #37474f; border-radius: 18px; background: #0f1e26; color: #e0e6ea; font: inherit; font-weight: 600; line-height: 1; cursor: pointer; box-shadow: 0 2px 8px rgba(0,0,0,.35); }
.toggle:hover { background: #16303c; }
.toggle .dot { width: 8px; height: 8px; border-radius: 50%; background: #ef6c00; }
:host([data-open]) .toggle { display: none; }
.panel { display: none; flex-direction: column; height: 62vh; min-height: 360px; background: #0f1e26; border-top: 2px solid #ef6c00; box-shadow: 0 -4px 16px rgba(0,0,0,.4); }
:host([data-open]) .panel { display: flex; }
header { display: flex; align-items: center; gap: 16px; padding: 6px 12px; background: #0a161c; border-bottom: 1px solid #263238; white-space: nowrap; }
header .brand { font-weight: 700; color: #ffb74d; }
header .job { font-weight: 600; }
header .meta { color: #90a4ae; }
header .owner.owner-this { color: #81c784; }
header .owner.owner-other { color: #ffb74d; }
header .spacer { flex: 1; }
header button { background: none; border: 1px solid #37474f; color: #cfd8dc; border-radius: 4px; padding: 2px 8px; font: inherit; cursor: pointer; }
.body { flex: 1; overflow: auto; padding: 10px 12px; display: grid; grid-template-columns: minmax(360px, 1fr) minmax(360px, 1fr); gap: 12px 20px; align-content: start; }
section { min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { margin: 0 0 6px; font-size: 11px; font-weight: 600; letter-spacing: .06em; text-transform: uppercase; color: #90a4ae; }
.legend { display: inline-flex; gap: 10px; margin-left: 12px; text-transform: none; letter-spacing: 0; font-weight: 400; }
.legend i { display: inline-block; width: 9px; height: 9px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.graph-wrap { overflow: auto; }
svg.graph { display: block; }
svg .edge { fill: none; stroke: #78909c; stroke-width: 1.5; }
svg .arrow { fill: #78909c; }
svg .node rect { stroke-width: 1.5; }
svg .node .title { fill: #fff; font-weight: 600; font-size: 12px; }
svg .node .kind { fill: rgba(255,255,255,.7); font-size: 10px; }
svg .node .detail { fill: rgba(255,255,255,.9); font-size: 11px; font-variant-numeric: tabular-nums; }
svg .node.ok rect, .legend .ok { fill: #1b5e20; background: #2e7d32; stroke: #66bb6a; }
svg .node.low rect, .legend .low { fill: #8d6e00; background: #f9a825; stroke: #fdd835; }
svg .node.high rect, .legend .high { fill: #8e1b1b; background: #c62828; stroke: #ef5350; }
svg .node.finished rect { fill: #37474f; stroke: #78909c; }
svg .node rect.subtask { stroke: none; }
svg .node rect.subtask.ok { fill: #66bb6a; }
svg .node rect.subtask.low { fill: #fdd835; }
svg .node rect.subtask.high { fill: #ef5350; }
svg .node.finished rect.subtask { fill: #78909c; }
.chart-row { display: flex; flex-wrap: wrap; gap: 8px 24px; }
.chart-row .note { color: #90a4ae; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th { text-align: right; font-weight: 600; color: #90a4ae; padding: 3px 8px; border-bottom: 1px solid #37474f; white-space: nowrap; }
td { text-align: right; padding: 3px 8px; border-bottom: 1px solid #1c2b33; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
table.operators td:nth-child(2) { font-weight: 700; }
table.operators tr.ok td:nth-child(2) { color: #66bb6a; }
table.operators tr.low td:nth-child(2) { color: #fdd835; }
table.operators tr.high td:nth-child(2) { color: #ef5350; }
table.operators tr.late td:nth-child(8) { color: #ffb74d; }
table.operators td:last-child, table.exceptions td:last-child { text-align: left; }
table.operators tr.subtask td { color: #b0bec5; }
table.operators tr.subtask td:first-child { padding-left: 20px; }
table.exceptions td:last-child { white-space: normal; color: #ef9a9a; }
table.checkpoints tr.completed td:nth-child(2) { color: #66bb6a; }
table.checkpoints tr.failed td:nth-child(2) { color: #ef5350; }
table.checkpoints tr.in-progress td:nth-child(2) { color: #4fc3f7; }
.empty { color: #607d8b; font-style: italic; padding: 4px 0; }
.lanes { display: grid; gap: 4px; }
.lane-scale { color: #607d8b; font-size: 10px; text-align: right; padding-right: 116px; }
.lane { display: grid; grid-template-columns: 160px 1fr 108px; align-items: center; gap: 8px; }
.lane-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.lane-track { position: relative; height: 10px; background: #1c2b33; border-radius: 3px; overflow: hidden; }
.lane-bar { position: absolute; right: 0; top: 0; bottom: 0; background: linear-gradient(90deg, #4fc3f7, #0288d1); border-left: 2px solid #e1f5fe; }
.lane.off-scale .lane-bar { background: linear-gradient(90deg, #ef5350, #b71c1c); }
.lane.none .lane-lag { color: #607d8b; }
.lane.none .lane-bar { display: none; }
.lane.subtask .lane-name { padding-left: 12px; color: #b0bec5; }
.lane-lag { text-align: right; font-variant-numeric: tabular-nums; }
`;
