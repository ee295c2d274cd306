/// <reference lib="dom" />
/**
 * The live tab in headless Chromium: the real server in demo mode, an action item closed
 * in the sample Jira by `npm run demo:change` (a child process, as a newcomer runs it), the
 * sample Jira's signed webhook delivery, and the open tab updating itself without a reload.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { start, type Running } from '../../server/main.js';
import { buildTab, findChromium, launchBrowser, ROOT, type Browser } from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) {
  process.stdout.write(
    'Live tab test skipped: no Chromium found at /usr/bin/chromium (or CHROMIUM_PATH); install it with `apt-get install -y chromium`.\n',
  );
}
const suite = chromiumPath ? describe : describe.skip;

let running: Running;
let browser: Browser;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  if (!chromiumPath) return;
  dataDir = await mkdtemp(join(tmpdir(), 'pmi-live-'));
  writeFileSync(join(dataDir, 'config.json'), '{}\n');
  env = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    CONFIG_FILE: join(dataDir, 'config.json'),
  };
  await buildTab();
  running = await start(env);
  browser = await launchBrowser(chromiumPath);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await running?.shutdown('live tab test done');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

suite('the live tab', () => {
  it('shows an action item closed in Jira within 5 s, without a reload, keeping filters and scroll', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/tab?window=90`);
    await page.waitForSelector('[data-list="overdue"] a', { timeout: 30_000 });
    const key = (await page.textContent('[data-list="overdue"] a')) as string;
    expect(key).toMatch(/^[A-Z]+-\d+$/);
    await page.evaluate(() => {
      (window as unknown as { stillThisPage: boolean }).stillThisPage = true;
      window.scrollTo(0, 300);
    });
    const scrollBefore = await page.evaluate(() => window.scrollY);
    const search = await page.evaluate(() => location.search);

    const changed = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'jobs/demoChange.ts', key], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    expect(changed.stdout).toContain(`Closed ${key}`);
    const closedAt = Date.now();
    await page.waitForFunction(
      (k) => ![...document.querySelectorAll('[data-list="overdue"] a')].some((a) => a.textContent === k),
      key,
      { timeout: 5_000, polling: 100 },
    );
    const visibleMs = Date.now() - closedAt;
    process.stdout.write(
      `Live tab: ${key} left the overdue list ${visibleMs} ms after npm run demo:change closed it.\n`,
    );
    expect(visibleMs).toBeLessThan(5_000);
    expect(await page.evaluate(() => (window as unknown as { stillThisPage?: boolean }).stillThisPage)).toBe(true);
    expect(await page.evaluate(() => location.search)).toBe(search);
    expect(Math.abs((await page.evaluate(() => window.scrollY)) - scrollBefore)).toBeLessThanOrEqual(1);
    await page.close();
  }, 60_000);

  it('updates an open incident view in place: what is typed in its form stays', async () => {
    const overdue = (await (await fetch(`${running.url}/api/action-items?overdue=true`)).json()) as {
      items: Array<{ key: string; incidentKey: string | null }>;
    };
    const item = overdue.items.find((candidate) => candidate.incidentKey !== null)!;
    const page = await browser.context.newPage();
    await page.goto(`${running.url}/tab?incident=${encodeURIComponent(item.incidentKey!)}`);
    await page.waitForSelector('form.create-item', { timeout: 30_000 });
    const row = page.locator('[data-list="incident-action-items"] tbody tr', { hasText: item.key });
    expect(await row.locator('td:nth-child(4)').textContent()).not.toBe('Done');
    await page.fill('#new-summary', 'Half-typed summary');
    await page.focus('#new-summary');

    await promisify(execFile)(process.execPath, ['--import', 'tsx', 'jobs/demoChange.ts', item.key], {
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    await page.waitForFunction(
      (k) =>
        [...document.querySelectorAll('[data-list="incident-action-items"] tbody tr')].some(
          (tr) => tr.querySelector('td')?.textContent === k && tr.querySelectorAll('td')[3]?.textContent === 'Done',
        ),
      item.key,
      { timeout: 5_000, polling: 100 },
    );
    expect(await page.inputValue('#new-summary')).toBe('Half-typed summary');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('new-summary');
    await page.close();
  }, 60_000);
});
