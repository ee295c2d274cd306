/** The API skeleton: health, error bodies, security headers for a Teams tab, the tab's pages. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import request from 'supertest';
import { InputError } from '../../server/errors.js';
import { createApp } from '../../server/http/app.js';
import { errorHandler } from '../../server/http/errorHandler.js';
import { parseQuery } from '../../server/http/query.js';
import { createLogger } from '../../server/logging.js';
import { makeIncident } from '../support/factories.js';
import { testApp, type TestApp } from '../support/app.js';
import { tempDir } from '../support/stores.js';

let t: TestApp;
beforeAll(async () => {
  const tabDir = tempDir('pmi-tab-');
  mkdirSync(join(tabDir, 'assets'));
  writeFileSync(join(tabDir, 'index.html'), '<!doctype html><title>tab</title>');
  writeFileSync(join(tabDir, 'config.html'), '<!doctype html><title>config</title>');
  writeFileSync(join(tabDir, 'assets', 'app.js'), 'console.log(1)');
  t = await testApp({}, { tabDir });
});
afterAll(() => t.close());

describe('GET /api/health', () => {
  it('answers with the store kind and no sync yet', async () => {
    const res = await request(t.app).get('/api/health').expect(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      store: 'embedded',
      lastSync: null,
      demo: true,
      counts: { incidents: 0, actionItems: 0 },
    });
  });

  it('reports the last sync and what is stored', async () => {
    await t.store.upsertIncidents([makeIncident({ key: 'OPS-1' }), makeIncident({ key: 'OPS-2' })]);
    await t.store.recordSyncRun({
      startedAt: '2026-11-27T09:00:00.000Z',
      finishedAt: '2026-11-27T09:00:03.000Z',
      ok: true,
      full: true,
      incidents: { inserted: 2, updated: 0, unchanged: 1 },
      actionItems: { inserted: 4, updated: 1, unchanged: 0 },
      requests: 6,
      retries: 0,
      problems: [],
      error: null,
    });
    const res = await request(t.app).get('/api/health').expect(200);
    expect(res.body.lastSync).toEqual({ at: '2026-11-27T09:00:03.000Z', ok: true, incidents: 3, actionItems: 5 });
    expect(res.body.counts).toEqual({ incidents: 2, actionItems: 0 });
  });
});

describe('errors', () => {
  it('answers an unknown route with a JSON 404', async () => {
    const res = await request(t.app).get('/api/nope').expect(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: expect.stringContaining('GET /api/nope') } });
  });

  it('maps domain errors to status codes and never sends a stack trace', async () => {
    const app = createApp({ ...t });
    const failing = Router();
    failing.get('/boom', () => {
      throw new Error('secret internals at /srv/app.ts:12');
    });
    failing.get('/bad', () => {
      throw new InputError('from must be an ISO-8601 instant', 'from');
    });
    const wrapper = (await import('express')).default();
    wrapper.use(failing);
    wrapper.use(app);
    wrapper.use(errorHandler(createLogger('silent')));
    const boom = await request(wrapper).get('/boom').expect(500);
    expect(boom.body).toEqual({
      error: { code: 'internal', message: 'Internal error; the server log has the details.' },
    });
    expect(JSON.stringify(boom.body)).not.toContain('secret internals');
    const bad = await request(wrapper).get('/bad').expect(400);
    expect(bad.body).toEqual({ error: { code: 'invalid_input', message: 'from must be an ISO-8601 instant' } });
  });

  it('answers malformed JSON bodies with a 400 that says what to send', async () => {
    const res = await request(t.app)
      .post('/api/health')
      .set('Content-Type', 'application/json')
      .send('{"summary":')
      .expect(400);
    expect(res.body.error.message).toMatch(/not valid JSON/);
  });
});

describe('parseQuery', () => {
  const parsers = { limit: (v: string) => Number(v) };
  it('refuses unknown and repeated parameters, naming them', () => {
    expect(() => parseQuery({ limt: '5' }, parsers)).toThrow(
      'Unknown query parameter "limt"; this route accepts limit.',
    );
    expect(() => parseQuery({ limit: ['1', '2'] }, parsers)).toThrow('Query parameter "limit" must be given once');
    expect(parseQuery({ limit: '5' }, parsers)).toEqual({ limit: 5 });
  });
});

describe('security headers', () => {
  it('let Teams, Microsoft 365 and Outlook frame the tab, with no X-Frame-Options', async () => {
    const res = await request(t.app).get('/tab').expect(200);
    const csp = res.headers['content-security-policy'] as string;
    const ancestors = /frame-ancestors ([^;]+)/.exec(csp)?.[1]?.split(' ') ?? [];
    expect(ancestors).toEqual(
      expect.arrayContaining([
        'https://teams.microsoft.com',
        'https://*.teams.microsoft.com',
        'https://*.cloud.microsoft',
        'https://*.microsoft365.com',
        'https://*.office.com',
        'https://outlook.office.com',
        'https://outlook.office365.com',
      ]),
    );
    expect(res.headers['x-frame-options']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('the tab pages', () => {
  it('serves /tab, /tab/config and the assets', async () => {
    expect((await request(t.app).get('/tab').expect(200)).text).toContain('<title>tab</title>');
    expect((await request(t.app).get('/tab/config').expect(200)).text).toContain('<title>config</title>');
    await request(t.app).get('/tab/assets/app.js').expect(200);
    await request(t.app).get('/').expect(302).expect('Location', '/tab');
  });

  it('serves the blank post-mortem template from docs/, wherever the server runs from', async () => {
    const res = await request(t.app)
      .get('/tab/postmortem-template.md')
      .expect(200)
      .expect('Content-Type', /text\/markdown/);
    expect(res.text).toBe(readFileSync(new URL('../../docs/postmortem-template.md', import.meta.url), 'utf8'));
  });

  it('says how to build the tab when it is missing', async () => {
    const empty = await testApp({}, { tabDir: tempDir('pmi-empty-tab-') });
    const res = await request(empty.app).get('/tab').expect(500);
    expect(res.body.error.message).toMatch(/npm run build:client/);
    await empty.close();
  });
});

describe('request logging', () => {
  it('logs method, path and status, and never the Authorization header', async () => {
    const lines: string[] = [];
    const { Writable } = await import('node:stream');
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logged = createApp({ ...t, logger: createLogger('info', sink) });
    await request(logged).get('/api/nope').set('Authorization', 'Bearer super-secret-key-123456').expect(404);
    const text = lines.join('');
    expect(text).toContain('GET /api/nope 404');
    expect(text).not.toContain('super-secret-key');
  });
});
