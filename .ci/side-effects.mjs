#!/usr/bin/env node
// No top-level side effects: importing an entry point for nothing must run nothing. Bundles
// `import 'rxflink/…'` with rollup, ignoring package.json's `sideEffects: false` (so every module
// of the entry is kept) but honouring what rollup can prove pure and `/* @__PURE__ */` marks; any
// code left is a top-level statement a bundler must keep, and fails this check. Run after the build.
import { rollup } from 'rollup';

const entries = [
  'index',
  'engine',
  'testing',
  'node',
  'idb',
  'web-vitals',
  'browser',
  'otel',
  'parallel',
  'redux',
  'react',
  'devtools',
  'nats',
];
let failed = 0;
for (const entry of entries) {
  const bundle = await rollup({
    input: 'entry',
    treeshake: { moduleSideEffects: true },
    external: (id) => id !== 'entry' && !id.startsWith('/') && !id.startsWith('.'),
    plugins: [
      {
        name: 'entry',
        resolveId: (id) => (id === 'entry' ? id : null),
        load: (id) => (id === 'entry' ? `import './dist/${entry}.js';` : null),
      },
    ],
    onwarn: () => {},
  }).catch((e) => (e.code === 'UNRESOLVED_ENTRY' || /Could not resolve/.test(e.message) ? null : Promise.reject(e)));
  if (bundle === null) continue;
  const { output } = await bundle.generate({ format: 'es' });
  const code = output[0].code.replace(/^import [^;]*;\n/gm, '').trim();
  if (code !== '') {
    failed++;
    console.error(`dist/${entry}.js runs code when imported:\n${code}\n`);
  } else console.log(`ok   dist/${entry}.js: no top-level side effects`);
}
if (failed > 0) process.exit(1);
