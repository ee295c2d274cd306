/** GET /api/events: data-version announcements over server-sent events, behind the API's auth. */
import { once } from 'node:events';
import { get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';

const KEY = 'events-api-key-0123456789';
let t: TestApp;
let server: Server;
let base: string;

beforeAll(async () => {
  t = await testApp({ AUTH_MODE: 'api-key', API_KEYS: KEY });
  server = t.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await t.close();
});

function open(headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(`${base}/api/events`, { headers }, resolve).on('error', reject));
}

/** Reads events until `want` of them arrived (or fails after a while). */
function nextVersions(res: IncomingMessage, want: number, withinMs = 5_000): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const versions: number[] = [];
    let buffer = '';
    const timer = setTimeout(
      () => reject(new Error(`only ${JSON.stringify(versions)} within ${withinMs} ms`)),
      withinMs,
    );
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^event: data-version\ndata: (.*)$/m.exec(block);
        if (data) versions.push((JSON.parse(data[1] as string) as { version: number }).version);
        if (versions.length >= want) {
          clearTimeout(timer);
          res.off('data', onData);
          resolve(versions);
          return;
        }
      }
    };
    res.on('data', onData);
  });
}

describe('GET /api/events', () => {
  it('needs the same credentials as the API', async () => {
    const res = await open({});
    expect(res.statusCode).toBe(401);
    res.resume();
  });

  it('announces the current data version, then each change within a couple of seconds', async () => {
    const res = await open({ authorization: `Bearer ${KEY}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    const [first] = await nextVersions(res, 1);
    const started = Date.now();
    await t.store.upsertIncidents([makeIncident({ key: 'OPS-1' })]);
    const [next] = await nextVersions(res, 1);
    expect(next).not.toBe(first);
    expect(Date.now() - started).toBeLessThan(3_000);
    res.destroy();
  });

  it('announces a change once the metrics the tabs asked for are computed for it: the request after the announcement finds its answer ready', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const query = '/api/metrics?severity=P1';
    expect((await fetch(`${base}${query}`, { headers: auth })).status).toBe(200);
    const res = await open(auth);
    await nextVersions(res, 1);
    const before = t.metrics.stats.computations;
    await t.store.upsertIncidents([makeIncident({ key: 'OPS-7', severity: 'P1' })]);
    await nextVersions(res, 1);
    // Computed before the announcement, not by the request after it.
    expect(t.metrics.stats.computations).toBe(before + 1);
    expect((await fetch(`${base}${query}`, { headers: auth })).status).toBe(200);
    expect(t.metrics.stats.computations).toBe(before + 1);
    res.destroy();
  });
});
