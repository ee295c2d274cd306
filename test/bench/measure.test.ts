/**
 * The measuring parts against tiny local servers: autocannon's latencies are collected and
 * split by status, and the first-chart timer waits for painted pixels, not for the canvas.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { coldRequest, loadTest } from '../../bench/apiBench.js';
import { findChromium, firstChartLoads } from '../../bench/tabBench.js';

const PAGE = `<!doctype html><html><body><figure data-chart="demo"><canvas width="120" height="60"></canvas></figure>
<script src="/draw.js"></script></body></html>`;
// Draws after a delay, like a chart waiting for its data; ?never leaves the canvas blank.
// ?mark also sets the tab's first-chart mark, 100 ms before painting.
const DRAW = `const blank = location.search.includes('never');
if (location.search.includes('mark')) setTimeout(() => performance.mark('first-chart'), 200);
setTimeout(() => { if (!blank) document.querySelector('canvas').getContext('2d').fillRect(10, 10, 50, 20); }, 300);`;

let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/ok') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    if (path === '/bad') return void res.writeHead(503).end();
    // The tab's own CSP forbids eval, so the timer must work under it too.
    const csp = { 'content-security-policy': "script-src 'self'" };
    if (path === '/page') return void res.writeHead(200, { 'content-type': 'text/html', ...csp }).end(PAGE);
    if (path === '/draw.js') return void res.writeHead(200, { 'content-type': 'text/javascript', ...csp }).end(DRAW);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('loadTest', () => {
  it('collects one latency per response and orders the percentiles', async () => {
    const result = await loadTest(base, '/ok', { connections: 4, durationSec: 1, warmupSec: 0 });
    expect(result.count).toBeGreaterThan(50);
    expect(result.non2xx).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.p50).not.toBeNull();
    expect(result.p50 as number).toBeLessThanOrEqual(result.p95 as number);
    expect(result.p95 as number).toBeLessThanOrEqual(result.p99 as number);
    // One second of load: the rate is the count over autocannon's measured duration (about 1 s).
    expect(result.requestsPerSecond).toBeGreaterThan(result.count / 3);
    expect(result.requestsPerSecond).toBeLessThan(result.count / 0.9);
  });

  it('counts answers that are not 2xx', async () => {
    const result = await loadTest(base, '/bad', { connections: 2, durationSec: 1, warmupSec: 0 });
    expect(result.count).toBeGreaterThan(0);
    expect(result.non2xx).toBe(result.count);
  });

  it('times one cold request and keeps its status', async () => {
    const cold = await coldRequest(base, '/nowhere');
    expect(cold.status).toBe(404);
    expect(cold.bytes).toBe(0);
    expect((await coldRequest(base, '/ok')).bytes).toBe('{"ok":true}'.length);
    expect(cold.ms).toBeGreaterThan(0);
  });
});

const chromium = findChromium();
if (!chromium)
  process.stdout.write(
    'test/bench/measure.test.ts: first-chart timing skipped: no Chromium at /usr/bin/chromium (apt-get install -y chromium)\n',
  );
const withChromium = chromium ? describe : describe.skip;

withChromium('firstChartLoads', () => {
  it('times navigation to the first painted chart canvas, under a CSP without eval', async () => {
    const loads = await firstChartLoads(`${base}/page`, chromium as string, 2);
    expect(loads).toHaveLength(2);
    for (const load of loads) {
      expect(load.problem).toBeNull();
      expect(load.markMs).toBeNull();
      // The page paints 300 ms after its script runs; a blank canvas must not count.
      expect(load.ms as number).toBeGreaterThanOrEqual(300);
      expect(load.ms as number).toBeLessThan(10_000);
    }
  }, 60_000);

  it("takes the tab's first-chart mark when the page sets one, once pixels are painted", async () => {
    const [load] = await firstChartLoads(`${base}/page?mark`, chromium as string, 1);
    expect(load?.problem).toBeNull();
    expect(load?.markMs as number).toBeGreaterThanOrEqual(200);
    expect(load?.ms).toBe(load?.markMs);
    expect(load?.paintedMs as number).toBeGreaterThan(load?.markMs as number);
  }, 60_000);

  it('reports a load whose chart never paints as a problem', async () => {
    const loads = await firstChartLoads(`${base}/page?never`, chromium as string, 1, 1500);
    expect(loads[0]?.ms).toBeNull();
    expect(loads[0]?.problem).toMatch(/Timeout 1500ms exceeded/);
  }, 60_000);
});
