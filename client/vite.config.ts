/// <reference types="node" />
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = resolve(import.meta.dirname);

export default defineConfig({
  root,
  base: '/tab/',
  build: {
    outDir: resolve(root, '../build/tab'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: { index: resolve(root, 'index.html'), config: resolve(root, 'config.html') },
    },
  },
});
