#!/usr/bin/env node
// Size budgets: what a browser app pays for an import of rxflink, bundled as a user's bundler would
// (esbuild, minified, tree-shaken, rxjs external) and compressed with brotli. Run after `npm run
// build`; fails when an import is over its budget, so a regression fails CI.
// `node .ci/size-budgets.mjs` prints every figure; `--json` prints them as JSON; `--modules` also
// lists each bundle's modules by minified bytes, to find an import that drags others in.
import { build } from 'esbuild';
import { brotliCompressSync, constants } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const KB = 1024;

/**
 * Each budget: the imports a user writes, and the most they may cost (bytes, brotli). Where the
 * limit is above the `target` (issue 11), the limit is today's size plus a margin, so that nothing
 * grows while the gap is closed. The window operator's general path (triggers, evictors, session
 * merging, timers per window, and through it the KeyedStateBackend and the timer service) is no
 * longer in a bundle of tumbling event-time windows: the descriptors that need it bring it
 * (docs/architecture.md §2), and the pane table holds allowed lateness and process functions. That
 * took the windowed count from 23.2 to 14.7 KB and the IndexedDB pipeline from 37.9 to 29.7 KB.
 * The window state's checkpoint export, restore, format migration and validation (window-rows,
 * pane-rows, restore-validation, state/format-migration, keyed-export, restore-checks: 14 KB
 * minified) then left the operator for the checkpoint runtime's codec (src/checkpoint/
 * state-codecs.ts; docs/architecture.md §4): 17.3 to 13.6 KB. Then the event-time entry's export
 * (time/event-time-codec.ts) and the pane path's incremental bookkeeping (pane-state.ts `paneRows`,
 * pane-rows.ts) went the same way, and the window's v1 rows migrate by format 0's one step, not
 * through every keyed-state format (state/format-migration.ts `rowListToKeyGroups`): 13.1 KB, and
 * 31.9 KB with IndexedDB. Then the plain export the `queryable` option reads (state-export,
 * pane-contents, the pane table's `exportPaneKeys`) came with the option's value
 * (`queryableWindows(registry, name)`), and an accumulator's export (acc-export.ts, state/
 * serializable through `clonePlain`), a column slot's accumulator and a `combine`'s result objects
 * left the code that folds: 11.6 KB. The report and restore of an operator's state then came with
 * the checkpoint and restore markers (src/checkpoint/operator-state.ts), not with core/operator.ts:
 * 11.3 KB, and `keyBy` alone 2.8 to 2.5 KB. Then the checks of what only the general path runs
 * (trigger methods, merging triggers, processing-time lateness) came with its factory (general-config.ts);
 * withEventTime and the fused chain became one loop (`runEntry`, time/withEventTime.ts) with two
 * ends; allowed lateness lost its class (late-panes.ts: the fired panes wait in a second PaneTable,
 * and a pane counts its windows' firings, early ones included): 11.0 KB. Where the rest of the gap is
 * (`--modules`, minified): the pane path (3.8 KB), the entry (3.4 KB) and its strategy (1.8 KB), all
 * needed; the window operator (2.2 KB) and configuration (2.5 KB); core/keys (1.7 KB); the errors'
 * messages (core, time: 2.5 KB); the built-in aggregates' columns (1.2 KB); the metrics probe (1 KB).
 * What is left is a long tail: measured by removing each, process functions on the pane path cost
 * 67 B brotli, idleness 115 B, early firing 10 B, the queryable hook 14 B; merging look-alike code
 * (the WindowedStream setters, the entry's two loops) saves minified bytes but not brotli ones. A
 * WindowedStream's methods are kept whole by bundlers, so whatever any of them reaches is in every
 * window bundle. For
 * IndexedDB, the checkpoint backend, runner, coordinator, snapshot codec and validation (about
 * 66 KB minified, 18.8 KB brotli between the two budgets), each used by every checkpointed run.
 * The codec then located a value that is not plain data with the state's own search, and an
 * incremental restore composed its deltas in the one merge: 32.3 to 32.0 KB (rxflink/idb keeps
 * idb-keyval: making its four requests ourselves saved 0.2 KB, not worth a hand-made copy). Where the rest is
 * (incremental brotli, in bundle order): the coordinator and runner (3.3 KB with the barrier's
 * report and the source markers), the backend and its reads (2.5 KB), the window's checkpoint
 * codec, restore and validation (about 3 KB, src/window/: window-rows, pane-rows, window-codec,
 * restore-validation, with state/restore-checks), the envelope, tagging and columns (1.9 KB), the
 * IndexedDB store and ownership (1.4 KB), the errors (1.3 KB), fromPush with its FlowMonitor (1.4
 * KB, of which the monitor 0.7 KB, made for every push source) and exactlyOnceSink (0.7 KB). Cutting
 * strings that brotli already shares (options checks by one helper, error fields by Object.assign)
 * does not pay: each measured 0 to +10 bytes.
 * The window's codec then lost its row export: the pane path writes pane tables only (a pane that
 * fired, early or kept for late records, is a `fired:` table of [acc, count] rows; a process
 * function's elements are rows), so WindowExporter and the pane path's row bookkeeping left the
 * bundle; and a stored WindowOperatorState v1 is read by key-group range as it is, without the keyed
 * state's format-0 migration: 32,191 to 31,783 B. Measured and left (`--modules`, brotli): fromPush's
 * FlowMonitor is 342 B, kept only for `source.monitor` (an API change would drop it); the restore's
 * validation 480 B in all, needed; the rest of window-rows (restore of rows, 0.6 KB) reads old checkpoints.
 * The checkpoint runtime's public fields are declared (`declare readonly`) instead of emitted twice
 * (a class field and the constructor's assignment): -141 B. What is left of the runtime (about 12.8 KB
 * brotli, measured module by module in bundle order) is used by every checkpointed run: incremental
 * checkpoints are on by default, retention and the restore fallback run on every save and restore,
 * and the backend's and coordinator's methods (delete, load by selector, savepoint) are kept whole by
 * bundlers. Measured by stubbing: a shape check through state/restore-checks.ts +4 B; the error
 * messages of the whole bundle (strings over 30 characters) 4.1 KB. rxflink/idb keeps idb-keyval
 * (its own four requests would save 0.23 KB; idb-keyval is one of the project's base libraries).
 * Then (weightC) an engine operator's metrics probe is made when a collector adopts it (core/metrics/
 * counting.ts: until then its adapter counts into an empty UNCOUNTED), each built-in aggregate
 * brings its own column folds, the general path's fallback of a fused run takes no value rather than
 * a run loop of its own: 11.0 to 10.6 KB (11,277 to 10,887 B; probe -243 B, folds -74, run loop
 * -67, pure markers -14; the layout choice it also moved went with the row export above), keyBy
 * alone 2.5 to 2.3 KB. What is left is the tail above plus what the API makes reachable: keyCount
 * and timerCount for monitoring (about 160 B), the check of a barrier without codecs (150 B), error
 * messages (long strings, about 1.2 KB together), and what WindowedStream's methods reach.
 * Then (weightW) fields a constructor sets are declared (`declare readonly`: the errors', the
 * WatermarkStrategy's, AggregateColumns', a Pane's, the operators' `stateAccess`), not emitted as
 * class fields and then assigned (-71 B); the pane path fires a pane's slots in one loop (on time,
 * early, a late record's re-firing) and builds the results not held on columns through `#push`
 * (-103 B); a restore's switch to the general path is the window codec's, the entry's element-array
 * methods are rxflink/engine's, and the entry's state access hands its run object (-55 B): 11,048
 * to 10,810 B (`keyBy` alone 2,338 to 2,314 B; the IndexedDB pipeline -106 B, keyedProcess
 * checkpointed +36 B: the codec's part of the restore). Measured and not kept: one `#with` for
 * WatermarkStrategy's four `with*` (+2 B), a `combine`'s columns brought by `combine` (-3 B, and a
 * type-only cycle), two setup fields only the general path reads (-4 B). What the API makes
 * reachable, measured by removing it: allowed lateness on the pane path 214 B, `keyCount`/
 * `timerCount` 155 B (the metrics read them, and core/ and rx/ sit below window/, so they cannot
 * bring them), idleness 115 B, process functions 67 B: all four would leave about 10.3 KB, still
 * over the target.
 * Then (weightI) a checkpointed source's job-graph probe is made by the metrics when the source
 * joins (core/metrics/collector.ts `joinSource`, over the `StageStats` the source already keeps), so
 * a run without metrics bundles no OperatorProbe; the general window path converts a checkpoint's
 * pane tables to its windows itself (`paneKeys` left the codec); a load's selector is matched in
 * one shape: the IndexedDB pipeline 31,602 to 31,248 B, keyedProcess checkpointed 29,549 to 29,147
 * (rxflink/redux -270, rxflink/nats -246, the otel bundle +73: its collector now holds the source
 * probe; a session-window count without checkpoints +223, as its general path now holds paneKeys).
 * Measured and left: helpers merging look-alike code (the runner's end of a checkpoint, the
 * manifest's encoding in one write) cost +19 to +58 B; `backend.delete` is 154 B, FlowMonitor 342 B
 * (both public API); the rest of the codec's general-path branch about 90 B.
 */
export const budgets = [
  {
    name: 'a windowed count',
    imports: {
      rxflink: [
        'withEventTime',
        'boundedOutOfOrderness',
        'keyBy',
        'window',
        'tumblingEventTimeWindows',
        'count',
        'toValues',
      ],
    },
    // 23.2 KB while every window bundled the general path (issue 11: now brought by the descriptors
    // that need it), 14.7 KB then. Columnar pane tables in checkpoints, early firing and the fused
    // runs added 2.6 KB: the window operator still links its checkpoint export when no checkpoint
    // is configured. Header: what is left between this and the target.
    // 13.6 KB since the checkpoint export comes with checkpointing (header); 13.1 KB since the
    // entry's export and the pane path's incremental bookkeeping do too; 11.6 KB since the queryable
    // view's export comes with `queryableWindows` and the accumulators' export leaves the folding code;
    // 11.3 KB since the checkpoint markers bring the report and restore of operators' state; 11.0 KB
    // with the general path's checks apart, one entry loop and allowed lateness on a second pane table;
    // 10.6 KB with probes made on adoption and each built-in's own column folds (header); 10.75 KB
    // (11,006 B) with the results path's warm objects (core/warm-code.ts: a subscription to nothing);
    // 10.55 KB (10,810 B) with fields declared and the pane path's firing in one place (header).
    limit: 10.625 * KB,
    target: 10 * KB,
  },
  // +0.1 KB the metrics probe (issue 13), +0.1 KB the dispatch of state to the checkpoint runtime's codecs (core/checkpointing.ts).
  // 2.5 KB since the checkpoint markers bring the report and restore of operators' state (header).
  // 2.3 KB since probes are made when metrics adopt an operator (header); 2,314 B with the errors'
  // fields declared (header, weightW).
  { name: 'keyBy alone', imports: { rxflink: ['keyBy'] }, limit: 2.3125 * KB, target: 3 * KB },
  // Issue 13: the devtools panel, without the charts: uPlot and the chart code load when the panel opens.
  {
    name: 'rxflink/devtools: mountDevtools (charts load on open)',
    imports: { 'rxflink/devtools': ['mountDevtools'] },
    external: ['uplot'],
    limit: 8 * KB,
  },
  // Issue 13: a pipeline's metrics exported to OpenTelemetry (@opentelemetry/api is the app's, external).
  // Issue 14: a keyed segment run in parallel subtasks (the main thread's side; the workers import the rest).
  { name: 'rxflink/parallel: parallel', imports: { 'rxflink/parallel': ['parallel'] }, limit: 6 * KB },
  {
    name: 'rxflink/otel: PipelineMetrics exported',
    imports: { rxflink: ['PipelineMetrics', 'withMetrics'], 'rxflink/otel': ['exportMetrics'] },
    limit: 5 * KB,
  },
  {
    name: 'a windowed count, checkpointed in IndexedDB, from fromPush to exactlyOnceSink',
    imports: {
      rxflink: [
        'withEventTime',
        'boundedOutOfOrderness',
        'keyBy',
        'window',
        'tumblingEventTimeWindows',
        'count',
        'toValues',
        'startCheckpointing',
        'fromPush',
        'exactlyOnceSink',
      ],
      'rxflink/idb': ['openIndexedDbBackend'],
    },
    // 37.9 KB while every window bundled the general path (issue 11); 29.7 KB before pane tables and
    // early firing; 32.5 KB: the window export comes with startCheckpointing here, so this one stays;
    // 31.9 KB without the keyed state's format 1 and 2 migrations (header); 31.8 KB (header); the
    // windowed count's cuts and one search for values that are not plain data (header); 31.0 KB
    // with pane tables only on the pane path and v1 read as it is (header); 30.8 KB (31,489 B) with
    // the runtime's fields declared once and the windowed count's cuts of this round (header); 30.5 KB
    // (31,248 B) with sources' probes made by the metrics and paneKeys on the general path (header);
    // 30.3 KB (31,029 B) with the windowed count's cuts of the same round merged in.
    limit: 30.375 * KB,
    target: 20 * KB,
  },
  // A checkpointed pipeline without windows: the runtime holds every state codec (src/checkpoint/
  // state-codecs.ts), so the window's (about 11.5 KB minified of src/window/) comes along; a codec
  // registered by its operator's module would instead join every bundle with that operator,
  // checkpointed or not (docs/architecture.md §4).
  {
    name: 'keyedProcess, checkpointed in IndexedDB',
    imports: { rxflink: ['keyedProcess', 'startCheckpointing'], 'rxflink/idb': ['openIndexedDbBackend'] },
    // 28.9 KB (29,608 B); 28.5 KB (29,147 B) with sources' probes made by the metrics and paneKeys on
    // the general path (header).
    limit: 28.625 * KB,
  },
  // The source alone; web-vitals itself (both of its builds, loaded on subscribe) is counted in.
  { name: 'the web-vitals source', imports: { 'rxflink/web-vitals': ['fromWebVitals'] }, limit: 7 * KB },
  { name: 'page exit (beacons, outbox)', imports: { 'rxflink/browser': ['watchPageExit'] }, limit: 3.5 * KB },
  // The integrations, without their peers (Redux Toolkit, React: external, as rxjs is).
  {
    name: 'rxflink/redux: actions in, batched results into a window-results slice, status',
    imports: {
      'rxflink/redux': [
        'createActionSource',
        'dispatchResults',
        'createWindowResultsSlice',
        'pipelineStatusReducer',
        'pipelineStatusFeed',
        'createQueryableState',
      ],
    },
    limit: 6.5 * KB,
  },
  // Issue 15: partitioned input and exactly-once output on NATS JetStream (the @nats-io clients are the app's).
  {
    name: 'rxflink/nats: producer, source and exactly-once sink',
    imports: { 'rxflink/nats': ['natsProducer', 'natsSource', 'natsExactlyOnceSink'] },
    external: ['@nats-io/*'],
    limit: 12 * KB,
  },
  {
    name: 'rxflink/react: the hooks',
    imports: { 'rxflink/react': ['usePipelineStatus', 'useWindowResults', 'useQueryableState'] },
    limit: 1 * KB,
  },
];

/** The entry file of a budget: imports every name and keeps it alive, as an app that uses them would. */
function entryOf(imports) {
  const lines = [];
  let n = 0;
  for (const [spec, names] of Object.entries(imports)) {
    lines.push(`import { ${names.map((name) => `${name} as _${n++}`).join(', ')} } from '${spec}';`);
  }
  lines.push(`export default [${Array.from({ length: n }, (_, i) => `_${i}`).join(', ')}];`);
  return lines.join('\n');
}

/** Bytes of one budget's bundle: minified and brotli-compressed. */
export async function measure(budget) {
  const result = await build({
    stdin: { contents: entryOf(budget.imports), resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external: ['rxjs', 'rxjs/*', '@reduxjs/toolkit', 'react', ...(budget.external ?? [])],
    logLevel: 'silent',
    metafile: true,
    // `rxflink` resolves to dist/ through package.json's exports (a package may import itself by name).
  });
  const code = result.outputFiles[0].contents;
  const brotli = brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  const output = Object.values(result.metafile.outputs)[0];
  const modules = Object.entries(output.inputs).map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }));
  return { minified: code.length, brotli, modules: modules.sort((a, b) => b.bytes - a.bytes) };
}

const json = process.argv.includes('--json');
const listModules = process.argv.includes('--modules');
const rows = [];
let over = 0;
for (const b of budgets) {
  const size = await measure(b);
  const ok = size.brotli <= b.limit;
  if (!ok) over++;
  rows.push({
    name: b.name,
    minified: size.minified,
    brotli: size.brotli,
    limit: b.limit,
    target: b.target ?? b.limit,
    ok,
    ...(listModules ? { modules: size.modules } : {}),
  });
}
if (json) console.log(JSON.stringify(rows, null, 2));
else {
  for (const r of rows) {
    const target = r.target !== r.limit ? `, target ${(r.target / KB).toFixed(1)} KB` : '';
    console.log(
      `${r.ok ? 'ok  ' : 'OVER'} ${(r.brotli / KB).toFixed(1).padStart(5)} KB brotli of ${(r.limit / KB).toFixed(1)} KB${target} (${(r.minified / KB).toFixed(1)} KB minified)  ${r.name}`,
    );
    for (const m of r.modules ?? []) console.log(`       ${String(m.bytes).padStart(7)} B  ${m.file}`);
  }
}
if (over > 0) {
  console.error(`\n${over} import(s) over budget`);
  process.exit(1);
}
