/// <reference lib="dom" />
/**
 * Issue 11, hole 2, in a real browser: the server runs as `npm start` runs it (demo mode,
 * AUTH_MODE=none, loopback), and pages of other origins attack it from Chromium.
 * - A cross-origin page (served by a second server on 127.0.0.2) sends the writes a
 *   browser sends without a CORS preflight: `fetch(..., { mode: 'no-cors' })` with
 *   `text/plain` bodies, and a plain HTML form post.
 * - A DNS-rebinding page: its host name first pointed at the attacker, then (Chromium's
 *   host resolver rule) at 127.0.0.1, so its requests are same-origin for the browser
 *   and reach the server with `Host: rebind.attacker.test`.
 * Afterwards nothing is written: the store's counts, the post-mortems and the sample
 * Jira's issues are what they were.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HealthResponse } from '../../server/domain/api.js';
import { findChromium, launchBrowser, type Browser } from './harness.js';
import { startTestServer, type TestServer } from './server.js';

const chromiumPath = findChromium();
if (!chromiumPath) {
  process.stdout.write(
    'Cross-site browser tests skipped: no Chromium found at /usr/bin/chromium (or CHROMIUM_PATH).\n',
  );
}
const suite = chromiumPath ? describe : describe.skip;

const REBIND_HOST = 'rebind.attacker.test';
const MARKDOWN =
  '# Post-mortem: OPS-101\n\n- **Incident ID:** OPS-101\n- **Severity:** P1\n\n## Action items\n\n| ID | Description | Owner | Due date | Status |\n|---|---|---|---|---|\n| AI-1 | Planted by an attacker | eve | 2026-12-31 | Open |\n';

let server: TestServer;
let browser: Browser;
let attacker: Server;
let attackerOrigin: string;

/** The attacker's page: fires the writes and reports what it could see. */
function attackPage(target: string): string {
  return `<!doctype html><title>attacker</title><body>
<form id="f" method="POST" action="${target}/api/postmortems" enctype="text/plain" target="sink"><input name="# Post-mortem: OPS-101 x" value="y"></form>
<iframe name="sink"></iframe>
<script>
window.results = (async () => {
  const out = [];
  const body = ${JSON.stringify(MARKDOWN)};
  for (const [path, payload] of [['/api/postmortems', body], ['/api/incidents/OPS-101/action-items', JSON.stringify({ summary: 'Planted by an attacker' })], ['/API/postmortems', body]]) {
    try {
      const res = await fetch(${JSON.stringify(target)} + path, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: payload });
      out.push(path + ' ' + res.type + ' ' + res.status);
    } catch (error) { out.push(path + ' failed ' + error); }
  }
  document.getElementById('f').submit();
  return out;
})();
</script></body>`;
}

async function writtenState(): Promise<{
  counts: HealthResponse['counts'];
  postmortem: unknown;
  plantedJiraIssues: number;
}> {
  const health = (await (await fetch(`${server.baseUrl}/api/health`)).json()) as HealthResponse;
  const incident = (await (await fetch(`${server.baseUrl}/api/incidents/OPS-101`)).json()) as { postmortem?: unknown };
  const jira = server.demoJira!;
  const search = await fetch(
    `${jira.baseUrl}/rest/api/3/search/jql?jql=${encodeURIComponent('summary ~ "Planted by an attacker"')}&maxResults=50&fields=summary`,
    {
      headers: {
        Authorization: `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`,
        Accept: 'application/json',
      },
    },
  );
  const answer = (await search.json()) as { issues?: Array<{ fields: { summary: string } }> };
  if (!answer.issues) throw new Error(`the sample Jira's search failed: ${JSON.stringify(answer)}`);
  return { counts: health.counts, postmortem: incident.postmortem ?? null, plantedJiraIssues: answer.issues.length };
}

beforeAll(async () => {
  if (!chromiumPath) return;
  server = await startTestServer();
  const target = server.baseUrl;
  attacker = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(attackPage(target));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.2', resolve));
  attackerOrigin = `http://127.0.0.2:${(attacker.address() as AddressInfo).port}`;
  browser = await launchBrowser(chromiumPath, [
    `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`,
    // Chromium's own local-network checks would stop the rebound page before the server
    // sees it; other browsers (and older Chromium) have none, so the server must refuse.
    '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights',
  ]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (attacker ? attacker.close(() => resolve()) : resolve()));
  await server?.close();
});

suite('pages of other origins cannot write to a loopback server (AUTH_MODE=none)', () => {
  it('a cross-origin page: no-cors text/plain fetches and a form post change nothing', async () => {
    const before = await writtenState();
    expect(before.plantedJiraIssues).toBe(0);
    expect(before.counts.incidents).toBeGreaterThan(0);
    const page = await browser.context.newPage();
    const refused: number[] = [];
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.toLowerCase().startsWith('/api/')) refused.push(response.status());
    });
    await page.goto(`${attackerOrigin}/`);
    const results = await page.evaluate(() => (window as unknown as { results: Promise<string[]> }).results);
    await page.waitForTimeout(500); // the form post's answer
    await page.close();
    expect(results).toHaveLength(3);
    // The browser saw the server's answers: each a refusal.
    expect(refused.length).toBeGreaterThanOrEqual(3);
    expect(refused.every((status) => status === 403)).toBe(true);
    expect(await writtenState()).toEqual(before);
  });

  it('a DNS-rebinding page (same origin for the browser, a foreign Host for the server) reads and writes nothing', async () => {
    const before = await writtenState();
    const port = new URL(server.baseUrl).port;
    const rebound = `http://${REBIND_HOST}:${port}`;
    const page = await browser.context.newPage();
    // The first answer for the attacker's name is the attacker's page; every later request
    // is resolved to 127.0.0.1 by the host resolver rule, as after a rebinding.
    await page.route(`${rebound}/`, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><script>
window.results = (async () => {
  const read = await fetch('/api/metrics');
  const write = await fetch('/api/postmortems', { method: 'POST', headers: { 'Content-Type': 'text/markdown' }, body: ${JSON.stringify(MARKDOWN)} });
  const ticket = await fetch('/api/incidents/OPS-101/action-items', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ summary: 'Planted by an attacker' }) });
  return { read: read.status, readBody: await read.text(), write: write.status, ticket: ticket.status };
})();
</script>`,
      }),
    );
    await page.goto(`${rebound}/`);
    const results = await page.evaluate(
      () =>
        (window as unknown as { results: Promise<{ read: number; readBody: string; write: number; ticket: number }> })
          .results,
    );
    await page.close();
    expect(results).toMatchObject({ read: 421, write: 421, ticket: 421 });
    expect(results.readBody).not.toContain('incidentCount');
    expect(await writtenState()).toEqual(before);
  });
});
