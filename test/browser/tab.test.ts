/// <reference lib="dom" />
/**
 * The Teams tab in headless Chromium, against the server: standalone in a plain browser,
 * and framed by a stand-in Teams host that speaks teams-js's postMessage protocol.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import type { Frame, Page, Response } from 'playwright-core';
import type {
  ActionItemsResponse,
  DataQualityResponse,
  MetricsResponse,
  ReviewResponse,
} from '../../server/domain/api.js';
import { PALETTES } from '../../client/src/charts.js';
import { buildTab, findChromium, launchBrowser, screenshotPath, SCREENSHOT_DIR, type Browser } from './harness.js';
import { startSsoTestServer, startTestServer, type SsoTestServer, type TestServer } from './server.js';
import { HOST_ORIGIN, hostPageHtml, type HostPageOptions } from './teams-host.js';

/** Printed for the reader of the test run (not asserted): where things are, what was measured. */
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const chromiumPath = findChromium();
if (!chromiumPath) {
  log(
    'Browser tests skipped: no Chromium found at /usr/bin/chromium (or CHROMIUM_PATH). Install it with `apt-get install -y chromium`; .ci/run does.',
  );
}
const suite = chromiumPath ? describe : describe.skip;

/** Each chart as a person reads it: its data table, and the colours its canvas shows. */
type ChartDump = Record<
  string,
  { labels: string[]; series: Array<{ label: string; data: Array<number | null> }>; colours: string[] }
>;

const TAB_ORIGIN = 'https://tab.contoso.test';

let server: TestServer;
let browser: Browser;

/**
 * Collects console errors and page errors of a page (and its frames). teams-js's fetch of
 * its host list from the CDN is aborted on purpose (offline), so that failure is expected;
 * `expected` names others a test provokes.
 */
function watchErrors(page: Page, expected: (text: string, url: string) => boolean = () => false): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location().url;
    if (url.startsWith('https://res.cdn.office.net/') || expected(message.text(), url)) return;
    errors.push(`console: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  return errors;
}

/**
 * Reads every chart as its reader meets it. The data table under each chart gives the
 * labels (first column) and a column per series (`<series> (<unit>)`); each number is a
 * `<data>` element carrying the exact value the chart plots, and an empty cell is null.
 * The colours are those the canvas shows: every colour that fills more than a few pixels
 * (text and edges blend into the background; bars and lines do not).
 */
async function charts(target: Page | Frame): Promise<ChartDump> {
  return target.evaluate(() => {
    const dump: ChartDump = {};
    for (const figure of document.querySelectorAll<HTMLElement>('figure.chart')) {
      const headers = [...figure.querySelectorAll('details.alt thead th')].map((th) => th.textContent ?? '');
      const rows = [...figure.querySelectorAll<HTMLTableRowElement>('details.alt tbody tr')];
      const series = headers.slice(1).map((header, column) => ({
        label: header.replace(/ \([^()]*\)$/, ''),
        data: rows.map((row) => {
          const value = row.cells[column + 1]?.querySelector('data')?.value;
          return value == null ? null : Number(value);
        }),
      }));
      const counts = new Map<string, number>();
      const canvas = figure.querySelector('canvas');
      const pixels = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] !== 255) continue;
        const hex = `#${[pixels[i]!, pixels[i + 1]!, pixels[i + 2]!].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
        counts.set(hex, (counts.get(hex) ?? 0) + 1);
      }
      dump[figure.dataset.chart!] = {
        labels: rows.map((row) => row.cells[0]?.textContent ?? ''),
        series,
        colours: [...counts]
          .filter(([, n]) => n >= 20)
          .map(([hex]) => hex)
          .sort(),
      };
    }
    return dump;
  });
}

/** What each chart must show, derived here from /api/metrics independently of the client. */
function expectChartsToMatch(
  dump: ChartDump,
  metrics: MetricsResponse,
  metric: 'timeToResolve' | 'timeToDetect' | 'timeToAcknowledge' = 'timeToResolve',
): void {
  const perWeek = dump['incidents-per-week']!;
  expect(perWeek.labels).toEqual(metrics.incidents.byWeek.map((w) => w.weekStart));
  metrics.incidents.byWeek.forEach((week, i) => {
    const stacked = perWeek.series.reduce((sum, s) => sum + (s.data[i] ?? 0), 0);
    expect(stacked).toBe(week.total);
    for (const s of perWeek.series) expect(s.data[i]).toBe(week.bySeverity[s.label as 'P0'] ?? 0);
  });
  const weekly = metrics.weekly ?? [];
  const times = dump['time-per-week']!;
  expect(times.labels).toEqual(weekly.map((w) => w.weekStart));
  const toHours = (s: number | null) => (s == null ? null : s / 3600);
  expect(times.series.find((s) => s.label === 'median')!.data).toEqual(
    weekly.map((w) => toHours(w[metric].medianSeconds)),
  );
  expect(times.series.find((s) => s.label === 'p90')!.data).toEqual(weekly.map((w) => toHours(w[metric].p90Seconds)));
  const items = dump['action-items-per-week']!;
  expect(items.series.map((s) => s.data)).toEqual([
    weekly.map((w) => w.actionItemsOpened),
    weekly.map((w) => w.actionItemsClosed),
    weekly.map((w) => w.actionItemsOpenAtEnd),
  ]);
  const services = dump['incidents-by-service']!;
  const shownServices = Object.fromEntries(services.labels.map((label, i) => [label, services.series[0]!.data[i]]));
  expect(shownServices).toEqual(
    Object.fromEntries(Object.entries(metrics.incidents.byService).filter(([, n]) => n > 0)),
  );
  const detection = dump['detection-categories']!;
  expect(Object.fromEntries(detection.labels.map((label, i) => [label, detection.series[0]!.data[i]]))).toEqual(
    Object.fromEntries(
      ['automated', 'customer', 'internal', 'unknown'].map((c) => [
        c,
        metrics.incidents.byDetection[c as 'automated'] ?? 0,
      ]),
    ),
  );
}

/** Long lists show their first rows; this shows the rest. */
async function showAll(page: Page, section: string): Promise<void> {
  const button = page.locator(`${section} button.show-all`);
  if (await button.count()) await button.click();
}

async function openDashboard(
  page: Page,
  path = '/tab',
): Promise<{ metrics: MetricsResponse; overdue: ActionItemsResponse }> {
  const metricsResponse = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics');
  const overdueResponse = page.waitForResponse(
    (r) => new URL(r.url()).pathname === '/api/action-items' && r.url().includes('overdue=true'),
  );
  await page.goto(`${server.baseUrl}${path}`);
  const [metrics, overdue] = await Promise.all([
    metricsResponse.then((r: Response) => r.json()),
    overdueResponse.then((r: Response) => r.json()),
  ]);
  await page.waitForSelector('[data-chart="incidents-per-week"] canvas');
  await page.waitForSelector('#overdue');
  return { metrics: metrics as MetricsResponse, overdue: overdue as ActionItemsResponse };
}

beforeAll(async () => {
  if (!chromiumPath) return;
  await buildTab();
  server = await startTestServer();
  browser = await launchBrowser(chromiumPath);
  log(
    `Browser tests: ${chromiumPath} against ${server.description} at ${server.baseUrl}; screenshots in ${SCREENSHOT_DIR}`,
  );
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

suite('the tab in a plain browser', () => {
  it('draws the dashboard quickly, with charts that match /api/metrics and no console errors', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const { metrics } = await openDashboard(page);
    const firstChartMs = await page.evaluate(
      () => performance.getEntriesByName('first-chart')[0]?.startTime ?? Number.NaN,
    );
    log(`first chart drawn ${Math.round(firstChartMs)} ms after navigation`);
    expect(firstChartMs).toBeLessThan(1500);
    expectChartsToMatch(await charts(page), metrics);
    expect(await page.textContent('[data-tile="incidents"] .tile-value')).toBe(String(metrics.incidents.total));
    const actionValues = await page.locator('[data-tile="action-items"] .tile-value').allTextContents();
    expect(actionValues).toEqual([String(metrics.actionItems.open), String(metrics.actionItems.overdue)]);
    // Each tile explains its formula on hover/focus and links to the list behind it.
    const tile = page.locator('[data-tile="timeToResolve"]');
    expect(await tile.getAttribute('title')).toMatch(/TTR/);
    expect(await tile.getAttribute('href')).toBe('#incidents');
    await tile.focus();
    await expect(tile.locator('.formula').isVisible()).resolves.toBe(true);
    // Each chart has a text alternative.
    expect(await page.locator('figure.chart details.alt table').count()).toBe(5);
    await page.screenshot({ path: screenshotPath('default-1280'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps filters in the URL, refetches with them, and a reload reproduces the view', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const { metrics } = await openDashboard(page);
    const severity = Object.entries(metrics.incidents.bySeverity).find(([, n]) => (n ?? 0) > 0)?.[0] ?? 'P1';
    const filtered = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/metrics' && r.url().includes(`severity=${severity}`),
    );
    await page.selectOption('select[name="severity"]', severity);
    const filteredMetrics = (await (await filtered).json()) as MetricsResponse;
    await page.waitForFunction(() => document.querySelector('[data-tile="incidents"]') != null);
    expect(new URL(page.url()).searchParams.get('severity')).toBe(severity);
    expectChartsToMatch(await charts(page), filteredMetrics);
    const windowed = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/metrics' && !r.url().includes('xx'),
    );
    await page.selectOption('select[name="window"]', '30');
    const thirty = (await (await windowed).json()) as MetricsResponse;
    const span = Date.parse(thirty.range.to) - Date.parse(thirty.range.from);
    expect(Math.round(span / 86_400_000)).toBe(30);
    expect(page.url()).toContain('window=30');
    // The link alone reproduces the view.
    const again = await browser.context.newPage();
    const reloaded = again.waitForResponse((r) => new URL(r.url()).pathname === '/api/metrics');
    await again.goto(page.url());
    expect((await reloaded).url()).toContain(`severity=${severity}`);
    expect(await again.inputValue('select[name="severity"]')).toBe(severity);
    expect(await again.inputValue('select[name="window"]')).toBe('30');
    // A custom window is checked before it is asked for.
    await again.selectOption('select[name="window"]', 'custom');
    await again.waitForSelector('input[name="from"]');
    await again.fill('input[name="from"]', '2026-06-01');
    await again.fill('input[name="to"]', '2026-05-01');
    await again.click('button[name="apply-range"]');
    expect(await again.textContent('#range-error')).toMatch(/start date must be on or before/);
    const custom = again.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/metrics' && r.url().includes('from=2026-05-01'),
    );
    await again.fill('input[name="from"]', '2026-05-01');
    await again.fill('input[name="to"]', '2026-05-31');
    await again.click('button[name="apply-range"]');
    expect(new URL((await custom).url()).searchParams.get('to')).toBe('2026-06-01T00:00:00.000Z');
    expect(errors).toEqual([]);
    await page.close();
    await again.close();
  });

  it('says so when a window has no incidents, and that nothing is overdue', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const { metrics } = await openDashboard(page, '/tab?window=custom&from=2020-01-01&to=2020-01-31');
    expect(metrics.incidents.total).toBe(0);
    expect(await page.textContent('main .empty')).toMatch(/No incidents in 2020-01-01 to 2020-01-31/);
    expect(await page.textContent('[data-tile="incidents"] .tile-value')).toBe('0');
    await page.waitForSelector('#overdue .empty');
    expect(await page.textContent('#overdue .empty')).toMatch(/Nothing is overdue/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('switches the per-week time chart between TTR, TTD and TTA', async () => {
    const page = await browser.context.newPage();
    const { metrics } = await openDashboard(page);
    await page.click('button[data-metric="timeToDetect"]');
    expect(await page.getAttribute('button[data-metric="timeToDetect"]', 'aria-pressed')).toBe('true');
    expectChartsToMatch(await charts(page), metrics, 'timeToDetect');
    expect(page.url()).toContain('metric=timeToDetect');
    await page.close();
  });

  it('lists overdue action items by days overdue, filters by owner, and follows an incident link', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const { metrics, overdue } = await openDashboard(page);
    await page.waitForSelector('[data-list="overdue"]');
    await showAll(page, '#overdue');
    const rows = page.locator('[data-list="overdue"] tbody tr');
    const count = await rows.count();
    expect(count).toBe(metrics.actionItems.overdue);
    if (count === 0) {
      expect(await page.textContent('#overdue')).toMatch(/Nothing is overdue/);
      return;
    }
    const days = (await page.locator('[data-list="overdue"] tbody tr td:nth-child(6)').allTextContents()).map(Number);
    expect(days).toEqual([...days].sort((a, b) => b - a));
    const firstKey = await rows.first().locator('td:first-child a').textContent();
    const first = overdue.items.find((i) => i.key === firstKey)!;
    expect(await rows.first().locator('td:first-child a').getAttribute('href')).toBe(first.url);
    if (first.dueDateSource === 'sla') expect(await rows.first().locator('.sla').count()).toBe(1);
    // Filter by the first row's owner.
    const ownerValue = first.owner ?? '(none)';
    await page.selectOption('select[name="owner"]', ownerValue);
    await page.waitForFunction((owner) => new URL(location.href).searchParams.get('owner') === owner, ownerValue);
    await page.waitForSelector('[data-list="overdue"]');
    const owners = await page.locator('[data-list="overdue"] tbody tr td:nth-child(3)').allTextContents();
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set([first.owner ?? 'no owner']));
    // Follow the incident link to the incident view, and come back.
    const incidentKey = first.incidentKey!;
    await page.locator('[data-list="overdue"] a.incident-link').first().click();
    await page.waitForSelector(`[data-incident="${incidentKey}"]`);
    expect(new URL(page.url()).searchParams.get('incident')).toBe(incidentKey);
    expect(await page.locator('[data-list="incident-action-items"]').textContent()).toContain(first.key);
    // The filled-in post-mortem downloads through the API client.
    const download = page.waitForEvent('download');
    await page.click('button.download');
    const file = await download;
    expect(file.suggestedFilename()).toBe(`${incidentKey}-postmortem.md`);
    const markdown = await new Promise<string>((resolve, reject) => {
      void file.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream
          .on('data', (c: Buffer) => chunks.push(c))
          .on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
          .on('error', reject);
      });
    });
    expect(markdown).toContain(incidentKey);
    await page.goBack();
    await page.waitForSelector('[data-chart="incidents-per-week"] canvas');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the data-quality panel and the incidents behind the tiles', async () => {
    const page = await browser.context.newPage();
    const metricsRequestP = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/metrics');
    const { metrics } = await openDashboard(page);
    const metricsRequest = await metricsRequestP;
    await page.waitForSelector('#data-quality');
    // /api/metrics carries the first entries of each list and the totals; "Show all" asks
    // /api/data-quality for the full lists over the same window.
    const quality = metrics.dataQuality!;
    const shown = quality.incidents.length + quality.actionItems.length;
    const total = quality.totals!.incidents + quality.totals!.actionItems;
    const qualityRows = page.locator('[data-list="data-quality"] tbody tr');
    expect(await qualityRows.count()).toBe(shown);
    expect(total).toBeGreaterThan(shown);
    expect(await page.textContent('#data-quality [data-quality-note]')).toMatch(
      new RegExp(`^Showing ${shown} of \\S+\\. Show all ${total}$`),
    );
    const metricsUrl = new URL(metricsRequest.url());
    const fullResponse = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/data-quality');
    await page.click('#data-quality button.show-all');
    const fullAnswer = await fullResponse;
    const fullUrl = new URL(fullAnswer.url());
    expect(fullUrl.searchParams.get('from')).toBe(metricsUrl.searchParams.get('from'));
    expect(fullUrl.searchParams.get('to')).toBe(metricsUrl.searchParams.get('to'));
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-list="data-quality"] tbody tr').length === n,
      total,
    );
    expect(await page.locator('#data-quality [data-quality-note]').count()).toBe(0);
    // Focus moves to the first entry the preview did not show.
    const seen = new Set([
      ...quality.incidents.map((q) => `incident ${q.key}`),
      ...quality.actionItems.map((q) => `actionItem ${q.key}`),
    ]);
    const firstUnseen = ((await fullAnswer.json()) as DataQualityResponse).items.find(
      (q) => !seen.has(`${q.kind} ${q.key}`),
    );
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(firstUnseen?.key);
    // The incidents tile unfolds the list behind it.
    expect(await page.isVisible('[data-list="incidents"]')).toBe(false);
    await page.click('[data-tile="incidents"]');
    await page.waitForSelector('#incidents[open] [data-list="incidents"]');
    await showAll(page, '#incidents');
    expect(await page.locator('[data-list="incidents"] tbody tr').count()).toBe(metrics.incidents.total);
    await page.click('[data-tile="on-time"]');
    await page.waitForSelector('#action-items[open]');
    await page.waitForSelector('[data-list="action-items"], #action-items .empty');
    await page.close();
  });

  it('shows the API error message with a retry button, and retry recovers', async () => {
    const page = await browser.context.newPage();
    let fail = true;
    await page.route('**/api/metrics*', (route) =>
      fail
        ? route.fulfill({
            status: 400,
            contentType: 'application/json',
            body: JSON.stringify({
              error: { code: 'invalid_parameter', message: 'from: must be an ISO-8601 instant' },
            }),
          })
        : route.continue(),
    );
    await page.goto(`${server.baseUrl}/tab`);
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('from: must be an ISO-8601 instant');
    fail = false;
    await page.keyboard.press('Tab');
    await page.focus('button.retry');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-chart="incidents-per-week"] canvas');
    await page.close();
  });

  it('shows the late fixes the next incidents hit, sorts the overdue list by them, and tells real changes from noise', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const { metrics, overdue } = await openDashboard(page);
    const recurrence = metrics.recurrence!;
    const change = metrics.change!;
    // The sample has late fixes hit by later incidents, a significant change and changes within noise.
    expect(recurrence.items.length).toBeGreaterThan(0);
    const verdicts = [change.incidents, change.timeToDetect, change.timeToAcknowledge, change.timeToResolve];
    expect(verdicts.some((v) => v.significant)).toBe(true);
    expect(verdicts.some((v) => !v.significant)).toBe(true);

    await page.waitForSelector('#late-fixes [data-list="late-fixes"]');
    expect(await page.getAttribute('#late-fixes [data-recurrence]', 'data-recurrence')).toBe(
      String(recurrence.behindOverdueFix),
    );
    expect(await page.textContent('#late-fixes .recurrence-count')).toContain(
      `${recurrence.behindOverdueFix} of ${metrics.incidents.total}`,
    );
    expect(await page.textContent('#late-fixes .formula-line')).toMatch(/overdue at incident B/);
    const rows = page.locator('#late-fixes [data-list="late-fixes"] tbody tr');
    expect(await rows.count()).toBe(recurrence.items.length);
    const first = recurrence.items[0]!;
    expect(await rows.first().locator('td').first().textContent()).toBe(first.key);
    expect(await rows.first().locator('.hits strong').textContent()).toBe(String(first.incidents.length));
    // Owners come from the overdue list, or from the fix's incident when it was done since.
    await page.waitForFunction(
      () => ![...document.querySelectorAll('#late-fixes [data-owner]')].some((e) => e.textContent === '…'),
    );
    const firstView = overdue.items.find((v) => v.key === first.key);
    if (firstView)
      expect(await page.textContent(`#late-fixes [data-owner="${first.key}"]`)).toBe(firstView.owner ?? 'no owner');

    // Tiles: a change that is not significant is neutral, "within noise", with its p-value on hover.
    for (const [tileId, verdict] of [
      ['incidents', change.incidents],
      ['timeToResolve', change.timeToResolve],
    ] as const) {
      const delta = page.locator(`[data-tile="${tileId}"] .delta`).first();
      if (!(await delta.count()) || (await delta.getAttribute('class'))?.includes('same')) continue;
      const cls = (await delta.getAttribute('class')) ?? '';
      expect(cls.includes('noise')).toBe(!verdict.significant);
      if (!verdict.significant) {
        expect(await delta.textContent()).toContain('within noise');
        expect(cls).not.toMatch(/better|worse/);
      }
      if (verdict.p !== null) expect(await delta.getAttribute('title')).toMatch(/p [=<] 0\.\d{3}/);
    }
    await page.locator('#late-fixes').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath('insights-1280'), fullPage: true });

    // The overdue list sorts by the incidents since each item was due; the choice is in the URL.
    const reloaded = page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/api/action-items' && r.url().includes('overdue=true'),
    );
    await page.selectOption('select[name="sort"]', 'incidents');
    await reloaded;
    expect(page.url()).toMatch(/sort=incidents/);
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#overdue [data-list="overdue"] tbody tr').length > 0 &&
        !document.querySelector('.lists > [role="status"]'),
    );
    // Exact counts (the listed late fixes) first, most first; then the items with at most as many ("≤ n").
    const hitsColumn = await page.locator('#overdue [data-list="overdue"] tbody tr td:nth-child(7)').allTextContents();
    expect(hitsColumn.length).toBeGreaterThan(0);
    const order = hitsColumn.map((t) => (/^\d+$/.test(t) ? Number(t) : -1));
    expect(order).toEqual([...order].sort((a, b) => b - a));

    // The incident view names the overdue fixes the incident was behind.
    const hitKey = first.incidents[first.incidents.length - 1]!;
    await page.goto(`${server.baseUrl}/tab?incident=${encodeURIComponent(hitKey)}`);
    await page.waitForSelector('.behind-fixes');
    expect(await page.locator(`.behind-fixes [data-fix="${first.key}"]`).count()).toBe(1);
    await page.screenshot({ path: screenshotPath('incident-behind-fixes-1280'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('files a new action item from the incident view, with inline validation and the API message on 400', async () => {
    const page = await browser.context.newPage();
    const { metrics } = await openDashboard(page);
    await page.click('[data-tile="incidents"]');
    await page.waitForSelector('#incidents[open] [data-list="incidents"]');
    const key = await page.locator('[data-list="incidents"] a.incident-link').first().textContent();
    expect(metrics.incidents.total).toBeGreaterThan(0);
    await page.locator('[data-list="incidents"] a.incident-link').first().click();
    await page.waitForSelector('form.create-item');
    await page.click('form.create-item button[type="submit"]');
    expect(await page.textContent('#new-summary-error')).toMatch(/Write a summary/);
    expect(await page.getAttribute('#new-summary', 'aria-invalid')).toBe('true');
    // First for real: in demo mode the server files the ticket in the sample Jira, links it
    // to the incident and stores it, so the refreshed incident view lists it.
    await page.fill('#new-summary', 'Add an alert on queue depth');
    await page.fill('#new-dueDate', '2026-12-31');
    const real = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/incidents/${key}/action-items`,
    );
    await page.click('form.create-item button[type="submit"]');
    const realAnswer = await real;
    expect(realAnswer.status()).toBe(201);
    const created = (await realAnswer.json()) as { key: string; url: string };
    await page.waitForSelector('.notice');
    expect(await page.textContent('.notice')).toContain(created.key);
    expect(await page.getAttribute(`.notice a`, 'href')).toBe(created.url);
    await page.waitForFunction(
      (k) => document.querySelector('[data-list="incident-action-items"]')?.textContent?.includes(k),
      created.key,
    );
    const requests: unknown[] = [];
    let answer: { status: number; body: unknown } = {
      status: 400,
      body: { error: { code: 'invalid_input', message: 'owner: no Jira user matches "nobody"' } },
    };
    await page.route(`**/api/incidents/${key}/action-items`, (route) => {
      requests.push(route.request().postDataJSON());
      return route.fulfill({
        status: answer.status,
        contentType: 'application/json',
        body: JSON.stringify(answer.body),
      });
    });
    await page.fill('#new-summary', 'Add an alert on queue depth');
    await page.fill('#new-owner', 'nobody');
    await page.fill('#new-dueDate', '2026-12-31');
    await page.click('form.create-item button[type="submit"]');
    await page.waitForSelector('form.create-item .form-status.error-text');
    expect(await page.textContent('form.create-item .form-status')).toContain('owner: no Jira user matches "nobody"');
    expect(requests[0]).toEqual({ summary: 'Add an alert on queue depth', owner: 'nobody', dueDate: '2026-12-31' });
    answer = { status: 201, body: { key: 'ACT-999', url: 'https://jira.example.test/browse/ACT-999' } };
    await page.fill('#new-owner', '');
    await page.click('form.create-item button[type="submit"]');
    await page.waitForSelector('.notice');
    expect(await page.textContent('.notice')).toContain('ACT-999');
    expect(requests[1]).toEqual({ summary: 'Add an alert on queue depth', dueDate: '2026-12-31' });
    await page.screenshot({ path: screenshotPath('incident-view-1280'), fullPage: true });
    await page.close();
  });

  it('follows the colour scheme: dark and contrast themes, and the 320 px side panel', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    await openDashboard(page);
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    const dark = await charts(page);
    expect(dark['incidents-by-service']!.colours).toContain(PALETTES.dark.series.count);
    await page.screenshot({ path: screenshotPath('dark-1280'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light', forcedColors: 'active' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'contrast');
    const contrast = await charts(page);
    expect(contrast['incidents-by-service']!.colours).toContain(PALETTES.contrast.series.count);
    expect(contrast['incidents-by-service']!.colours).not.toEqual(dark['incidents-by-service']!.colours);
    await page.emulateMedia({ colorScheme: 'light', forcedColors: 'none' });
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'default');
    await page.setViewportSize({ width: 320, height: 800 });
    await page.waitForTimeout(100);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: screenshotPath('default-320'), fullPage: true });
    // Keyboard: the skip link comes first, then the filters.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('window');
    expect(errors).toEqual([]);
    await page.close();
  });
});

suite('the tab inside a stand-in Teams host', () => {
  let hostOptions: HostPageOptions;
  let sso: SsoTestServer;
  /** Every API call the framed tab made: the Authorization it sent and the server's status. */
  const apiCalls: Array<{ path: string; authorization: string; status: number }> = [];

  beforeAll(async () => {
    if (!chromiumPath) return;
    sso = await startSsoTestServer(TAB_ORIGIN);
    log(`Teams host tests: ${sso.description} at ${sso.baseUrl}, framed as ${TAB_ORIGIN} by ${HOST_ORIGIN}`);
    // teams-js fetches its list of trusted hosts from the CDN; offline it uses the built-in list.
    await browser.context.route('https://res.cdn.office.net/**', (route) => route.abort());
    await browser.context.route(`${HOST_ORIGIN}/**`, (route) =>
      route.fulfill({ contentType: 'text/html', body: hostPageHtml(hostOptions) }),
    );
    // The tab, at a made-up https origin, proxied to the server (headers and all).
    await browser.context.route(`${TAB_ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      // route.fetch reads a whole body, and the live-update stream never ends: answer it as a
      // stream that closes at once (the tab reconnects later). test/browser/live.test.ts covers it.
      if (url.pathname === '/api/events')
        return route.fulfill({ status: 200, contentType: 'text/event-stream', body: 'retry: 60000\n\n' });
      const response = await route.fetch({ url: `${sso.baseUrl}${url.pathname}${url.search}` });
      if (url.pathname.startsWith('/api/')) {
        apiCalls.push({
          path: url.pathname,
          authorization: route.request().headers()['authorization'] ?? '',
          status: response.status(),
        });
      }
      return route.fulfill({ response });
    });
  }, 120_000);

  afterAll(async () => {
    await sso?.close();
  });

  async function openHost(options: Partial<HostPageOptions>): Promise<{ page: Page; frame: Frame; errors: string[] }> {
    hostOptions = {
      tabUrl: `${TAB_ORIGIN}/tab`,
      frameContext: 'content',
      theme: 'default',
      token: sso.token,
      ...options,
    };
    const page = await browser.context.newPage();
    // With AUTH_MODE=teams-sso the first API call goes without a token and is refused (401).
    const errors = watchErrors(page, (text, url) => text.includes('401') && url.startsWith(`${TAB_ORIGIN}/api/`));
    await page.goto(`${HOST_ORIGIN}/stand-in-host`);
    const frame = await (await page.waitForSelector('iframe#tab')).contentFrame();
    if (!frame) throw new Error('The host page has no tab frame.');
    await frame.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    return { page, frame, errors };
  }

  const hostLog = (page: Page) =>
    page.evaluate(() => (window as unknown as { hostLog: Array<{ func: string; args: unknown[] }> }).hostLog);

  it('reads the context (theme, team, channel), follows theme changes, notifies success and gets an SSO token on 401', async () => {
    apiCalls.length = 0;
    const { page, frame, errors } = await openHost({ theme: 'dark' });
    await frame.waitForSelector('[data-chart="incidents-per-week"] canvas');
    expect(await frame.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await frame.textContent('.where')).toBe('Reliability › Incident review');
    await frame.waitForSelector('#overdue');
    const messages = await hostLog(page);
    const funcs = messages.map((m) => m.func);
    expect(funcs).toContain('getContext');
    expect(funcs).toContain('authentication.getAuthToken');
    await page.waitForFunction(() =>
      (window as unknown as { hostLog: Array<{ func: string }> }).hostLog.some(
        (m) => m.func === 'appInitialization.success',
      ),
    );
    // The first API call goes without a token and the server refuses it; the tab then asks
    // Teams for the SSO token, and the server verifies it and answers every later call.
    expect(apiCalls[0]).toMatchObject({ authorization: '', status: 401 });
    const signed = apiCalls.filter((c) => c.authorization === `Bearer ${sso.token}`);
    expect(signed.map((c) => c.path)).toEqual(
      expect.arrayContaining(['/api/metrics', '/api/incidents', '/api/action-items']),
    );
    expect(signed.every((c) => c.status === 200)).toBe(true);
    expect(messages.filter((m) => m.func === 'authentication.getAuthToken')).toHaveLength(1);
    const darkCharts = await charts(frame);
    await page.evaluate(() =>
      (window as unknown as { pushEvent: (f: string, a: unknown[]) => void }).pushEvent('themeChange', ['contrast']),
    );
    await frame.waitForFunction(() => document.documentElement.dataset.theme === 'contrast');
    const contrastCharts = await charts(frame);
    for (const { label } of contrastCharts['incidents-per-week']!.series)
      expect(contrastCharts['incidents-per-week']!.colours).toContain(PALETTES.contrast.series[label as 'P0']);
    expect(contrastCharts['incidents-by-service']!.colours).not.toEqual(darkCharts['incidents-by-service']!.colours);
    const textColour = await frame.evaluate(() => getComputedStyle(document.body).color);
    expect(textColour).toBe('rgb(255, 255, 255)');
    await page.screenshot({ path: screenshotPath('teams-contrast-1280'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('fits the 320 px side panel in Teams', async () => {
    const { page, frame, errors } = await openHost({ theme: 'default', width: 320 });
    await frame.waitForSelector('[data-chart="incidents-per-week"] canvas');
    const overflow = await frame.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 320, height: 900 });
    await page.screenshot({ path: screenshotPath('teams-default-320') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('configures a channel tab: valid choice enables Save, Save stores a content URL carrying the filters', async () => {
    const { page, frame, errors } = await openHost({ tabUrl: `${TAB_ORIGIN}/tab/config`, frameContext: 'settings' });
    await page.waitForFunction(() =>
      (window as unknown as { hostLog: Array<{ func: string }> }).hostLog.some(
        (m) => m.func === 'settings.setValidityState',
      ),
    );
    let messages = await hostLog(page);
    expect(messages.filter((m) => m.func === 'settings.setValidityState').at(-1)?.args).toEqual([true]);
    expect(messages.map((m) => m.func)).toContain('registerHandler');
    const services = await frame
      .locator('select[name="service"] option')
      .evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value).filter(Boolean));
    expect(services.length).toBeGreaterThan(0);
    await frame.selectOption('select[name="service"]', services[0]!);
    await frame.selectOption('select[name="severity"]', 'P1');
    await frame.selectOption('select[name="window"]', '30');
    await page.evaluate(() =>
      (window as unknown as { pushEvent: (f: string, a: unknown[]) => void }).pushEvent('settings.save', [{}]),
    );
    await page.waitForFunction(() =>
      (window as unknown as { hostLog: Array<{ func: string }> }).hostLog.some(
        (m) => m.func === 'settings.save.success',
      ),
    );
    messages = await hostLog(page);
    const saved = messages.find((m) => m.func === 'settings.setSettings')!.args[0] as {
      contentUrl: string;
      websiteUrl: string;
      entityId: string;
      suggestedDisplayName: string;
    };
    const url = new URL(saved.contentUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${TAB_ORIGIN}/tab`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ window: '30', service: services[0], severity: 'P1' });
    expect(saved.entityId.length).toBeLessThanOrEqual(64);
    expect(saved.suggestedDisplayName).toContain(services[0]);
    await page.screenshot({ path: screenshotPath('teams-config') });
    expect(errors).toEqual([]);
    await page.close();
  });
  /** The agenda of the newest week (up to 20 back from the default) that has a P0 or P1 incident. */
  async function reviewWithIncidents(): Promise<ReviewResponse> {
    let week: string | null = null;
    for (let i = 0; i < 20; i++) {
      const answer = await fetch(`${sso.baseUrl}/api/review${week ? `?week=${week}` : ''}`, {
        headers: { Authorization: `Bearer ${sso.token}` },
      });
      const review = (await answer.json()) as ReviewResponse;
      if (review.incidents.length > 0) return review;
      week = review.previousWeek;
    }
    throw new Error('The demo data has no P0 or P1 incident in the last 20 weeks.');
  }

  const overflowOf = (frame: Frame) =>
    frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('configures a tab in a meeting and in a group chat as in a channel', async () => {
    for (const place of ['meeting', 'groupChat'] as const) {
      const { page, frame, errors } = await openHost({
        tabUrl: `${TAB_ORIGIN}/tab/config`,
        frameContext: 'settings',
        place,
      });
      await page.waitForFunction(() =>
        (window as unknown as { hostLog: Array<{ func: string }> }).hostLog.some(
          (m) => m.func === 'settings.setValidityState',
        ),
      );
      expect(await frame.textContent('h1')).toBe(
        `Postmortem Insights tab for this ${place === 'meeting' ? 'meeting' : 'chat'}`,
      );
      await frame.selectOption('select[name="severity"]', 'P0');
      await page.evaluate(() =>
        (window as unknown as { pushEvent: (f: string, a: unknown[]) => void }).pushEvent('settings.save', [{}]),
      );
      await page.waitForFunction(() =>
        (window as unknown as { hostLog: Array<{ func: string }> }).hostLog.some(
          (m) => m.func === 'settings.save.success',
        ),
      );
      const saved = (await hostLog(page)).find((m) => m.func === 'settings.setSettings')!.args[0] as {
        contentUrl: string;
      };
      expect(Object.fromEntries(new URL(saved.contentUrl).searchParams)).toEqual({ severity: 'P0' });
      if (place === 'meeting') await page.screenshot({ path: screenshotPath('teams-config-meeting') });
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it('shows the review in the 320 px side panel without horizontal scrolling, and shares it to the stage as a screen share', async () => {
    const review = await reviewWithIncidents();
    for (const theme of ['default', 'dark'] as const) {
      // The tab's configured address is the dashboard's; in the side panel it shows the review.
      const { page, frame, errors } = await openHost({
        tabUrl: `${TAB_ORIGIN}/tab?week=${review.week}`,
        frameContext: 'sidePanel',
        place: 'meeting',
        theme,
        width: 320,
      });
      await page.setViewportSize({ width: 320, height: 900 });
      await frame.waitForSelector('.agenda-item[data-item="headline"]');
      expect(await frame.getAttribute('html', 'data-theme')).toBe(theme);
      const share = frame.getByRole('button', { name: 'Share to stage' });
      await share.waitFor();
      // Every agenda item fits the panel's width.
      const count = Number((await frame.textContent('.pager .position'))!.split(' / ')[1]);
      expect(count).toBe(2 + review.incidents.length + 1 + (review.recurrence ? 1 : 0));
      for (let i = 1; i <= count; i++) {
        expect(await overflowOf(frame)).toBeLessThanOrEqual(0);
        const scroll = await frame.evaluate(
          () =>
            [...document.querySelectorAll('.agenda-item *')].filter(
              (e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible',
            ).length,
        );
        expect(scroll).toBe(0);
        if (i === 1) await page.screenshot({ path: screenshotPath(`teams-side-panel-320-${theme}`) });
        if (i === 3) await page.screenshot({ path: screenshotPath(`teams-side-panel-320-incident-${theme}`) });
        if (i === count)
          await page.screenshot({ path: screenshotPath(`teams-side-panel-320-overdue-${theme}`), fullPage: true });
        if (i < count) await frame.click('button[name="next"]');
      }
      await frame.click('.pager button[name="previous"]');
      expect(await frame.evaluate(() => new URL(location.href).searchParams.get('item'))).toBe(String(count - 1));
      if (theme === 'default') {
        await share.click();
        await frame.waitForSelector('.share-status:text("Shared to the stage")');
        const calls = (await hostLog(page)).filter((m) => m.func === 'meeting.shareAppContentToStage');
        expect(calls).toEqual([
          {
            func: 'meeting.shareAppContentToStage',
            args: [`${TAB_ORIGIN}/tab?view=review&week=${review.week}`, { sharingProtocol: 'ScreenShare' }],
          },
        ]);
      }
      expect(errors).toEqual([]);
      await page.close();
    }
    // Two themes, each a whole walk through the agenda with screenshots: slow on a loaded 2-core machine.
  }, 120_000);

  it('shows a refused share in words, and offers no button when Teams does not allow sharing', async () => {
    const refused = await openHost({
      frameContext: 'sidePanel',
      place: 'meeting',
      width: 320,
      shareError: { errorCode: 1000, message: 'App does not have permission' },
    });
    await refused.frame.getByRole('button', { name: 'Share to stage' }).click();
    const alert = refused.frame.locator('.share-status[role="alert"]');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      "Could not share to the stage. The app is not allowed to share to this meeting's stage (ask the organiser, or check the app's permissions): App does not have permission (error 1000).",
    );
    expect(refused.errors).toEqual([]);
    await refused.page.close();

    const denied = await openHost({ frameContext: 'sidePanel', place: 'meeting', width: 320, sharePermission: false });
    await denied.page.waitForFunction(() =>
      (window as unknown as { hostLog: Array<{ func: string }> }).hostLog.some(
        (m) => m.func === 'meeting.getAppContentStageSharingCapabilities',
      ),
    );
    await denied.frame.waitForFunction(() => document.querySelector('.share') === null);
    expect(await denied.frame.getByRole('button', { name: 'Share to stage' }).count()).toBe(0);
    await denied.page.close();
  });

  it('offers no Share to stage outside a meeting, and asks Teams nothing about the stage', async () => {
    const { page, frame, errors } = await openHost({
      tabUrl: `${TAB_ORIGIN}/tab?view=review`,
      frameContext: 'content',
    });
    await frame.waitForSelector('.agenda-item[data-item="headline"]');
    expect(await frame.locator('button[name="share-to-stage"]').count()).toBe(0);
    expect((await hostLog(page)).filter((m) => m.func.startsWith('meeting.'))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens the review of the week a deep link names (the digest card\'s "Review agenda" button)', async () => {
    const { frame, page, errors } = await openHost({ frameContext: 'content', subEntityId: 'review:2026-W40' });
    await frame.waitForSelector('.agenda-item[data-item="headline"]');
    expect(await frame.textContent('h1')).toBe('Reliability review, week 2026-W40');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('runs the review on the 1920x1080 stage: large type, one item at a time, arrow keys and j/k, position in the URL', async () => {
    const review = await reviewWithIncidents();
    for (const theme of ['default', 'dark'] as const) {
      const { page, frame, errors } = await openHost({
        tabUrl: `${TAB_ORIGIN}/tab?view=review&week=${review.week}`,
        frameContext: 'meetingStage',
        place: 'meeting',
        theme,
        width: 1920,
        height: 1080,
      });
      await page.setViewportSize({ width: 1920, height: 1080 });
      await frame.waitForSelector('.agenda-item[data-item="headline"]');
      expect(
        await frame.evaluate(() => parseFloat(getComputedStyle(document.querySelector('.agenda-item h2')!).fontSize)),
      ).toBeGreaterThanOrEqual(40);
      expect(await frame.locator('button[name="share-to-stage"]').count()).toBe(0);
      // The agenda names the week's P0 and P1 incidents, as /api/review lists them.
      const titles = await frame.locator('.agenda a').allTextContents();
      expect(titles.slice(2, 2 + review.incidents.length)).toEqual(
        review.incidents.map((i) => `${i.severity} ${i.key}`),
      );
      const item = () =>
        frame.evaluate(() => [
          new URL(location.href).searchParams.get('item'),
          document.querySelector('.agenda-item')!.getAttribute('data-item'),
        ]);
      // The tab is another process (another origin): wait until a key press has reached it.
      const at = async (position: string | null, id: string): Promise<void> => {
        await frame
          .waitForFunction(
            ([p, i]) =>
              new URL(location.href).searchParams.get('item') === p &&
              document.querySelector('.agenda-item')?.getAttribute('data-item') === i,
            [position, id] as const,
            { timeout: 5000 },
          )
          .catch(() => undefined);
        expect(await item()).toEqual([position, id]);
      };
      await frame.locator('body').click({ position: { x: 5, y: 5 } });
      await page.keyboard.press('ArrowRight');
      await at('2', 'since');
      await page.keyboard.press('j');
      const first = review.incidents[0]!;
      await at('3', `incident-${first.key}`);
      expect(await frame.textContent('.agenda-item [data-postmortem]')).toEqual(
        first.postmortemImportedAt ? expect.stringMatching(/^imported /) : 'not imported yet',
      );
      expect(await frame.getAttribute('.agenda-item a.incident-link', 'href')).toBe(`/tab?incident=${first.key}`);
      if (first.url) expect(await frame.locator(`.agenda-item a[href="${first.url}"]`).count()).toBe(1);
      await page.screenshot({ path: screenshotPath(`teams-stage-1920-incident-${theme}`) });
      await page.keyboard.press('k');
      await at('2', 'since');
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await at(null, 'headline');
      expect(await overflowOf(frame)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: screenshotPath(`teams-stage-1920-${theme}`) });
      // The position in the URL survives a reload: the same address opened again, as from a link.
      await page.keyboard.press('j');
      await page.keyboard.press('ArrowDown');
      await at('3', `incident-${first.key}`);
      const url = await frame.evaluate(() => location.href);
      expect(errors).toEqual([]);
      await page.close();
      const stage = { frameContext: 'meetingStage', place: 'meeting', theme, width: 1920, height: 1080 } as const;
      const reopenedAt = async (tabUrl: string, selector: string) => {
        const reopened = await openHost({ ...stage, tabUrl });
        await reopened.page.setViewportSize({ width: 1920, height: 1080 });
        await reopened.frame.waitForSelector(selector);
        return reopened;
      };
      const again = await reopenedAt(url, '.agenda-item[data-item]');
      expect(
        await again.frame.evaluate(() => [
          new URL(location.href).searchParams.get('item'),
          document.querySelector('.agenda-item')!.getAttribute('data-item'),
        ]),
      ).toEqual(['3', `incident-${first.key}`]);
      expect(again.errors).toEqual([]);
      await again.page.close();
      // A position past the end shows the last item: the overdue action items by owner.
      const last = await reopenedAt(url.replace('item=3', 'item=99'), '.agenda-item[data-item="overdue"]');
      const owners = await last.frame.locator('.agenda-item section.owner h3').allTextContents();
      expect(owners.map((o) => o.replace(/ \(\d+\)$/, ''))).toEqual(
        review.overdueByOwner.map((g) => g.owner ?? 'No owner'),
      );
      await last.page.screenshot({ path: screenshotPath(`teams-stage-1920-overdue-${theme}`) });
      expect(last.errors).toEqual([]);
      await last.page.close();
    }
    // Two themes, each a whole walk through the agenda with screenshots: slow on a loaded 2-core machine.
  }, 120_000);
});
