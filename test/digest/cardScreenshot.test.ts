/**
 * The digest of the sample Jira's last complete week, rendered by Microsoft's Adaptive
 * Cards renderer (the `adaptivecards` package) in headless Chromium and saved as a
 * screenshot next to the tab's (test-artifacts/screenshots/digest-card.png): the late fixes
 * the week's incidents hit, and changes marked "(within noise)" (docs/insights.md).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfigFileObject } from '../../server/config/config.js';
import { buildDigestCard } from '../../server/digest/card.js';
import { collectDigestContent } from '../../server/digest/content.js';
import { digestLinks } from '../../server/digest/links.js';
import { createJiraReader } from '../../server/jira/jiraJsReader.js';
import { demoConfig } from '../../server/jira-sample/demoConfig.js';
import { startSampleJira, type SampleJira } from '../../server/jira-sample/index.js';
import { MetricsService } from '../../server/metrics/index.js';
import { runSync } from '../../server/sync/runSync.js';
import { findChromium, launchBrowser, screenshotPath, type Browser } from '../browser/harness.js';
import { testApp, type TestApp } from '../support/app.js';

const NOW = new Date('2026-11-27T10:00:00.000Z');
const ZONE = 'Europe/Berlin';
const WEEK = '2026-W47';
const chromiumPath = findChromium();
const suite = chromiumPath ? describe : describe.skip;
if (!chromiumPath) process.stdout.write('Digest screenshot skipped: no Chromium found (set CHROMIUM_PATH).\n');

let jira: SampleJira;
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumPath) return;
  jira = await startSampleJira({ now: NOW });
  t = await testApp({ TIMEZONE: ZONE }, { now: () => NOW });
  const reader = createJiraReader({ baseUrl: jira.url, email: jira.email, apiToken: jira.apiToken });
  const run = await runSync(
    {
      store: t.store,
      jira: reader,
      settings: { timezone: ZONE, baseUrl: jira.url, jira: parseConfigFileObject(demoConfig).mapping },
    },
    NOW,
  );
  expect(run.ok).toBe(true);
  browser = await launchBrowser(chromiumPath);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await jira?.close();
});

suite('the digest card, as Teams would draw it', () => {
  it("shows the late fixes of the week's incidents and the changes within noise", async () => {
    const source = new MetricsService(t.store, { timezone: ZONE, slaDays: t.config.actionItemSlaDays, now: () => NOW });
    const content = await collectDigestContent(source, t.store, {
      week: WEEK,
      timezone: ZONE,
      now: NOW,
      links: digestLinks({ publicUrl: 'https://pmi.example.com', teamsAppId: null }, WEEK),
    });
    expect(content.lateFixes.length).toBeGreaterThan(0);
    expect(content.lateFixes.length).toBeLessThanOrEqual(5);
    const card = buildDigestCard({ ...content, links: { ...content.links, chart: null } });

    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 720, height: 900 });
    await page.setContent(
      '<!doctype html><html><body style="font-family: sans-serif; background: #f5f5f5; margin: 16px"><div id="card" style="background: #fff; padding: 12px; border-radius: 4px"></div></body></html>',
    );
    await page.addScriptTag({
      path: createRequire(import.meta.url).resolve('adaptivecards/dist/adaptivecards.min.js'),
    });
    const rendered = await page.evaluate((json) => {
      type Markdown = { outputHtml?: string; didProcess: boolean };
      const cards = (
        window as unknown as {
          AdaptiveCards: {
            AdaptiveCard: (new () => { parse(j: unknown): void; render(): HTMLElement | undefined }) & {
              onProcessMarkdown?: (text: string, result: Markdown) => void;
            };
          };
        }
      ).AdaptiveCards;
      // The card's markdown subset: escapes, links, bold, line breaks.
      cards.AdaptiveCard.onProcessMarkdown = (text, result) => {
        result.outputHtml = text
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')
          .replace(/>/g, '&gt;')
          .replace(/\\([\\*_[\]])/g, (_m, c: string) => `&#${c.charCodeAt(0)};`)
          .replace(/\[([^\]]+)\]\(([^)]+)\)/g, '<a href="$2">$1</a>')
          .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
          .replace(/ {2}\n/g, '<br>');
        result.didProcess = true;
      };
      const adaptiveCard = new cards.AdaptiveCard();
      adaptiveCard.parse(json);
      const element = adaptiveCard.render();
      if (element) document.getElementById('card')?.appendChild(element);
      return document.getElementById('card')?.innerText ?? '';
    }, card as unknown);
    expect(rendered).toContain("Late fixes this week's incidents hit");
    expect(rendered).toContain(
      `${content.behindOverdueFix.count} of the week's ${content.behindOverdueFix.total} incidents`,
    );
    expect(rendered).toContain(content.lateFixes[0]!.key);
    expect(rendered).toContain('(within noise)');
    if (content.moreLateFixes > 0) expect(rendered).toContain(`and ${content.moreLateFixes} more late fix`);
    await page.screenshot({ path: screenshotPath('digest-card'), fullPage: true });
    await page.close();
  }, 120_000);
});
