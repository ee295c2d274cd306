/**
 * The tab: gzip size of its built JavaScript (counted the way the build's own budget check
 * counts it, client/budget.ts) and the time from navigation to the first chart drawn in
 * headless Chromium, median of several loads, each in a fresh browser context (cold cache).
 *
 * "First chart drawn" is the tab's own signal, `performance.mark('first-chart')`, set once
 * its charts are drawn. A load counts only when a chart canvas also holds painted pixels
 * (watched on every animation frame), so a mark over blank canvases does not pass; a tab
 * without the mark is timed by the first painted frame instead.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { measureJsBudget, type BudgetReport } from '../client/budget.js';
import { ROOT } from './children.js';
import { median, type Figure } from './report.js';

export const TAB_DIR = join(ROOT, 'build/tab');

/** The flags every part of the project uses for headless Chromium on these machines. */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((path): path is string => Boolean(path) && existsSync(path as string)) ?? null;
}

/** `npm run build:client`; a build that fails its own budget still leaves the files to measure. */
export async function buildTab(): Promise<string | null> {
  try {
    await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'client/vite.config.ts'],
      { cwd: ROOT },
    );
    return null;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    return stderr.trim().split('\n').slice(-3).join(' ');
  }
}

export interface FirstChartLoad {
  /** The figure: the tab's mark, else the first painted frame. */
  ms: number | null;
  /** performance.mark('first-chart'), ms after navigation start, when the tab set it. */
  markMs?: number | null;
  /** First animation frame with a painted chart canvas. */
  paintedMs?: number | null;
  problem: string | null;
}

export const FIRST_CHART_MARK = 'first-chart';

/**
 * Runs in the page before its own scripts: watch every frame for a painted chart canvas.
 * A string, not a function: tsx would wrap a function's inner helpers in calls the page
 * does not have.
 */
export const WATCH_FIRST_CHART = `(() => {
  const painted = (canvas) => {
    if (canvas.width === 0 || canvas.height === 0) return false;
    const context = canvas.getContext('2d');
    if (!context) return false;
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < data.length; i += 16) if (data[i] !== 0) return true;
    return false;
  };
  const frame = () => {
    if (Array.from(document.querySelectorAll('[data-chart] canvas')).some(painted)) {
      window.__benchFirstChartMs = performance.now();
      return;
    }
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
})();`;

export async function firstChartLoads(
  url: string,
  executablePath: string,
  loads: number,
  timeoutMs = 20_000,
): Promise<FirstChartLoad[]> {
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  const results: FirstChartLoad[] = [];
  try {
    for (let n = 0; n < loads; n++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const page = await context.newPage();
        await page.addInitScript({ content: WATCH_FIRST_CHART });
        await page.goto(url, { waitUntil: 'commit' });
        const handle = await page.waitForFunction(
          () => (globalThis as { __benchFirstChartMs?: number }).__benchFirstChartMs,
          null,
          { timeout: timeoutMs, polling: 50 },
        );
        const paintedMs = (await handle.jsonValue()) as number;
        const markMs = await page.evaluate(
          (name) => performance.getEntriesByName(name)[0]?.startTime ?? null,
          FIRST_CHART_MARK,
        );
        const errorShown = await page.evaluate('document.querySelector(\'.error[role="alert"]\') !== null');
        results.push({
          ms: markMs ?? paintedMs,
          markMs,
          paintedMs,
          problem: errorShown ? 'the page showed an error' : null,
        });
      } catch (error) {
        results.push({
          ms: null,
          problem: error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error),
        });
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  return results;
}

export interface TabBenchResult {
  figures: Figure[];
  budget: BudgetReport | null;
  buildProblem: string | null;
  loads: FirstChartLoad[];
}

export function tabFigures(
  group: string,
  budget: BudgetReport | null,
  buildProblem: string | null,
  loads: FirstChartLoad[],
  skipped: string | null,
  firstChartTargetMs = 1500,
): Figure[] {
  const good = loads.filter((l) => l.ms !== null && l.problem === null).map((l) => l.ms as number);
  const problems = [...new Set(loads.map((l) => l.problem).filter((p): p is string => p !== null))];
  const allGood = loads.length > 0 && good.length === loads.length;
  const signal = loads.every((l) => l.markMs != null)
    ? "the tab's first-chart mark, with painted pixels checked"
    : 'first frame with a painted chart canvas';
  const loadNote =
    skipped ??
    (allGood
      ? `loads: ${good.map((ms) => Math.round(ms)).join(', ')} ms (${signal})`
      : `${loads.length - good.length} of ${loads.length} loads failed: ${problems.join('; ')}`);
  return [
    {
      id: 'tab.jsGzipKB',
      group,
      label: 'JavaScript, gzip',
      value: budget ? budget.totalGzipBytes / 1024 : null,
      unit: 'KB',
      target: { max: 150 },
      ...(budget
        ? { note: budget.files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(1)} KB`).join(', ') }
        : buildProblem
          ? { note: buildProblem }
          : {}),
    },
    {
      id: 'tab.firstChartMs',
      group,
      label: `navigation to first chart drawn, median of ${loads.length || 'no'} loads`,
      value: allGood ? median(good) : null,
      unit: 'ms',
      target: { max: firstChartTargetMs },
      note: loadNote,
    },
  ];
}

export async function measureTabSize(): Promise<{ budget: BudgetReport | null; buildProblem: string | null }> {
  const buildProblem = await buildTab();
  const budget = existsSync(TAB_DIR) ? measureJsBudget(TAB_DIR) : null;
  return { budget: budget && budget.files.length > 0 ? budget : null, buildProblem };
}
