// `npm run demo:browser`: builds the telemetry page into demo/telemetry/dist and serves it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  // keepNames: the devtools panel names engine operators after their classes (WindowOperator → Window),
  // which minification would otherwise rename.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', rolldownOptions: { output: { keepNames: true } } },
  preview: { host: '127.0.0.1', port: 4173 },
  logLevel: 'info',
});
