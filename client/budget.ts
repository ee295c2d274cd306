/**
 * The tab's JavaScript budget (docs/benchmarks.md): at most 150 KB of gzip JavaScript.
 * Measured over the built files, so it counts exactly what a browser downloads; the vite
 * plugin fails the build when the budget is exceeded and writes the numbers beside it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const JS_BUDGET_GZIP_BYTES = 150 * 1024;

export interface BudgetReport {
  limitBytes: number;
  totalGzipBytes: number;
  files: Array<{ file: string; bytes: number; gzipBytes: number }>;
  ok: boolean;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

export function measureJsBudget(outDir: string, limitBytes = JS_BUDGET_GZIP_BYTES): BudgetReport {
  const files = listFiles(outDir)
    .filter((file) => file.endsWith('.js'))
    .sort()
    .map((file) => {
      const content = readFileSync(file);
      return { file: relative(outDir, file), bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
    });
  const totalGzipBytes = files.reduce((sum, f) => sum + f.gzipBytes, 0);
  return { limitBytes, totalGzipBytes, files, ok: totalGzipBytes <= limitBytes };
}

export function formatBudget(report: BudgetReport): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return (
    `tab JavaScript: ${kb(report.totalGzipBytes)} gzip of ${kb(report.limitBytes)} budget` +
    ` (${report.files.map((f) => `${f.file} ${kb(f.gzipBytes)}`).join(', ')})`
  );
}

/**
 * Vite plugin: measure after the bundle is written; throw (failing the build) when over.
 * It measures the output directory vite actually wrote (so `--outDir` is honoured).
 */
export function jsBudget(limitBytes = JS_BUDGET_GZIP_BYTES): Plugin {
  let outDir = '';
  return {
    name: 'postmortem-insights-js-budget',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      const report = measureJsBudget(outDir, limitBytes);
      writeFileSync(join(outDir, 'budget.json'), JSON.stringify(report, null, 2) + '\n');
      const line = formatBudget(report);
      if (!report.ok) throw new Error(`Over budget: ${line}. Register fewer chart.js parts or drop a dependency.`);
      process.stdout.write(`${line}\n`);
    },
  };
}
