import { describe, it, expect } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { JS_BUDGET_GZIP_BYTES, measureJsBudget, type BudgetReport } from '../../client/budget.js';

/** Printed for the reader of the test run (not asserted): where things are, what was measured. */
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const ROOT = new URL('../../', import.meta.url).pathname;

describe('the tab JavaScript budget', () => {
  it('counts the gzip size of every .js file under the output, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'budget-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'assets/a.js'), 'x'.repeat(10_000));
    writeFileSync(join(dir, 'assets/b.js'), randomBytes(4_000).toString('hex'));
    writeFileSync(join(dir, 'assets/c.css'), randomBytes(100_000));
    const report = measureJsBudget(dir, 10_000);
    expect(report.files.map((f) => f.file)).toEqual(['assets/a.js', 'assets/b.js']);
    expect(report.files[0]!.gzipBytes).toBeLessThan(200);
    expect(report.files[1]!.gzipBytes).toBeGreaterThan(3_000);
    expect(report.totalGzipBytes).toBe(report.files[0]!.gzipBytes + report.files[1]!.gzipBytes);
    expect(report.ok).toBe(true);
    expect(measureJsBudget(dir, 3_000).ok).toBe(false);
  });

  it('fails the vite build when the tab is over budget', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tab-over-'));
    // The same build with a budget of 1 KB must fail, naming the budget.
    const run = promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'client/vite.config.ts',
        '--outDir',
        outDir,
        '--emptyOutDir',
      ],
      {
        cwd: ROOT,
        env: { ...process.env, TAB_JS_BUDGET_BYTES: '1024' },
      },
    );
    await expect(run).rejects.toThrow(/Over budget: tab JavaScript/);
  }, 120_000);

  it('keeps the built tab within 150 KB of gzip JavaScript, and builds the same files twice', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'tab-build-'));
    const build = () =>
      promisify(execFile)(
        process.execPath,
        [
          join(ROOT, 'node_modules/vite/bin/vite.js'),
          'build',
          '--config',
          'client/vite.config.ts',
          '--outDir',
          outDir,
          '--emptyOutDir',
        ],
        { cwd: ROOT },
      );
    await build();
    const first = JSON.parse(readFileSync(join(outDir, 'budget.json'), 'utf8')) as BudgetReport;
    log(
      `tab JavaScript: ${(first.totalGzipBytes / 1024).toFixed(1)} KB gzip of ${JS_BUDGET_GZIP_BYTES / 1024} KB (${first.files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(1)} KB`).join(', ')})`,
    );
    expect(first.limitBytes).toBe(JS_BUDGET_GZIP_BYTES);
    expect(first.totalGzipBytes).toBeLessThanOrEqual(JS_BUDGET_GZIP_BYTES);
    expect(first.ok).toBe(true);
    await build();
    const second = JSON.parse(readFileSync(join(outDir, 'budget.json'), 'utf8')) as BudgetReport;
    expect(second.files).toEqual(first.files);
  }, 120_000);
});
