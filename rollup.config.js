// Builds dist/: an ESM module per source module (entries at the top) and bundled .d.ts files per entry.
// esbuild strips types; rollup-plugin-dts (TypeScript 6 compiler API) bundles the declarations.
import { existsSync } from 'node:fs';
import esbuild from 'rollup-plugin-esbuild';
import { dts } from 'rollup-plugin-dts';

const entries = {
  index: 'src/index.ts',
  engine: 'src/engine/index.ts',
  testing: 'src/testing/index.ts',
  node: 'src/node/index.ts',
  idb: 'src/idb/index.ts',
  'web-vitals': 'src/web-vitals/index.ts',
  browser: 'src/browser/index.ts',
  redux: 'src/redux/index.ts',
  otel: 'src/otel/index.ts',
  parallel: 'src/parallel/index.ts',
  react: 'src/react/index.ts',
  devtools: 'src/devtools/index.ts',
  nats: 'src/nats/index.ts',
};
const input = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
// A worker's main module (no types): `nodeWorkers()` starts it from beside itself in dist/node/parallel/.
const workerInput = { ...input, 'node/parallel/subtask-worker': 'src/node/parallel/subtask-worker.ts' };

// Dependencies and platform modules stay imports: the user's bundler resolves them once.
const external = (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

export default [
  {
    input: workerInput,
    external,
    // One output module per source module, so a bundler drops what an app does not import (with
    // `sideEffects: false` in package.json). No sourcemaps: the output is the source without its
    // types, formatted and commented, so it reads as well as a map to src/ would.
    output: {
      dir: 'dist',
      format: 'es',
      preserveModules: true,
      preserveModulesRoot: 'src',
      entryFileNames: '[name].js',
    },
    plugins: [esbuild({ target: 'es2022', tsconfig: 'tsconfig.json' })],
  },
  {
    input,
    external,
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: 'chunks/[name]-[hash].d.ts' },
    // stripInternal: members marked `@internal` stay out of the public types.
    plugins: [dts({ tsconfig: 'tsconfig.json', compilerOptions: { stripInternal: true } })],
  },
];
