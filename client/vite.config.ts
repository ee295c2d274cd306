/// <reference types="node" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { jsBudget, JS_BUDGET_GZIP_BYTES } from './budget.js';

const clientDir = fileURLToPath(new URL('.', import.meta.url));

// Served by the API server at /tab (index.html) and /tab/config (config.html).
// Output names carry content hashes only, so the same sources always build the same files.
export default defineConfig({
  root: clientDir,
  base: '/tab/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../build/tab/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        config: fileURLToPath(new URL('./config.html', import.meta.url)),
      },
    },
  },
  // TAB_JS_BUDGET_BYTES only lowers the budget, so a test can prove an overrun fails the build.
  plugins: [jsBudget(Math.min(Number(process.env.TAB_JS_BUDGET_BYTES) || JS_BUDGET_GZIP_BYTES, JS_BUDGET_GZIP_BYTES))],
});
