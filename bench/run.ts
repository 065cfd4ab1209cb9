/**
 * `npm run bench`: every benchmark, each reporting ratios against a baseline measured in the same
 * run (the machines are noisy; absolute figures are not comparable between runs).
 *   npm run bench              # all
 *   npm run bench -- entry     # only the benches whose name contains "entry"
 */
const filter = process.argv[2];

const benches: { name: string; run: () => Promise<unknown> }[] = [
  { name: 'entry', run: async () => (await import('./entry-bench.js')).runEntryBench() },
  { name: 'pipeline', run: async () => (await import('./pipeline-bench.js')).runPipelineBench() },
  { name: 'window', run: async () => (await import('./window-bench.js')).runWindowBenchIsolated() },
  { name: 'checkpoint', run: async () => (await import('./checkpoint-bench.js')).runCheckpointBench() },
  { name: 'flow', run: async () => (await import('./flow-bench.js')).runFlowBench() },
  { name: 'metrics', run: async () => (await import('./metrics-bench.js')).runMetricsBench() },
  { name: 'state', run: async () => (await import('./state-bench.js')).runStateBench() },
  { name: 'window-general', run: async () => (await import('./general-path-bench.js')).runGeneralWindowBench() },
  { name: 'parallel', run: async () => (await import('./parallel-bench.js')).runParallelBench() },
  { name: 'redux', run: async () => (await import('./redux-bench.js')).runReduxBench() },
  { name: 'transport', run: async () => (await import('./transport-bench.js')).runTransportBench() },
  { name: 'nats', run: async () => (await import('./nats-bench.js')).runNatsBench() },
];

for (const bench of benches) {
  if (filter && !bench.name.includes(filter)) continue;
  console.log(`\n=== ${bench.name} ===`);
  await bench.run();
}
