/**
 * The tab's share of `npm run bench` (PRODUCT.md, Performance): gzip JavaScript of the built
 * tab against its 150 KB budget, and the time from navigation to the first chart drawn, in
 * headless Chromium. Callable from bench/run.ts; also runs alone:
 *   node --import tsx bench/tab.ts http://127.0.0.1:3000
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export interface TabBenchResult {
  jsGzipBytes: number;
  jsBudgetBytes: number;
  /** Navigation to first chart drawn, per load (the first is cold). */
  firstChartMs: number[];
  medianFirstChartMs: number;
}

const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function benchTab(options: { baseUrl: string; chromiumPath?: string; loads?: number; tabDir?: string }): Promise<TabBenchResult> {
  const tabDir = options.tabDir ?? fileURLToPath(new URL('../build/tab/', import.meta.url));
  const budget = JSON.parse(readFileSync(join(tabDir, 'budget.json'), 'utf8')) as { totalGzipBytes: number; limitBytes: number };
  const userDataDir = await mkdtemp(join(tmpdir(), 'pmi-bench-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: options.chromiumPath ?? '/usr/bin/chromium', headless: true, args: FLAGS });
  const firstChartMs: number[] = [];
  try {
    for (let i = 0; i < (options.loads ?? 5); i++) {
      const page = await context.newPage();
      await page.goto(`${options.baseUrl}/tab`);
      await page.waitForFunction(() => performance.getEntriesByName('first-chart').length > 0, undefined, { timeout: 30_000 });
      firstChartMs.push(await page.evaluate(() => performance.getEntriesByName('first-chart')[0]!.startTime));
      await page.close();
    }
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
  const sorted = [...firstChartMs].sort((a, b) => a - b);
  return {
    jsGzipBytes: budget.totalGzipBytes,
    jsBudgetBytes: budget.limitBytes,
    firstChartMs: firstChartMs.map(Math.round),
    medianFirstChartMs: Math.round(sorted[Math.floor(sorted.length / 2)]!),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const baseUrl = process.argv[2] ?? 'http://127.0.0.1:3000';
  const result = await benchTab({ baseUrl });
  process.stdout.write(
    `tab: ${(result.jsGzipBytes / 1024).toFixed(1)} KB gzip JavaScript (budget ${(result.jsBudgetBytes / 1024).toFixed(0)} KB, ratio ${(result.jsGzipBytes / result.jsBudgetBytes).toFixed(2)}); ` +
      `first chart ${result.medianFirstChartMs} ms median of ${result.firstChartMs.join(', ')} ms (target 1500 ms, ratio ${(result.medianFirstChartMs / 1500).toFixed(2)})\n`,
  );
}
