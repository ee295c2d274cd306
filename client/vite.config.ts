import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { jsBudget } from './budget.js';

const clientDir = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../build/tab/', import.meta.url));

// Served by the API server at /tab (index.html) and /tab/config (config.html).
// Output names carry content hashes only, so the same sources always build the same files.
export default defineConfig({
  root: clientDir,
  base: '/tab/',
  logLevel: 'warn',
  build: {
    outDir,
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
  plugins: [jsBudget(outDir)],
});
