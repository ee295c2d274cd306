import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { testApp, type TestApp } from '../support/app.js';
import { cardValidator } from './cardSchema.js';
import { NOW, sampleData } from './fixtures.js';

const KEY = 'digest-test-key-0123456789';
let open: TestApp;
let locked: TestApp;

beforeAll(async () => {
  open = await testApp({ TIMEZONE: 'Europe/Berlin' }, { now: () => NOW });
  locked = await testApp(
    { TIMEZONE: 'Europe/Berlin', AUTH_MODE: 'api-key', API_KEYS: KEY, PUBLIC_URL: 'https://pmi.example.com' },
    { now: () => NOW },
  );
  for (const t of [open, locked]) {
    const { incidents, actionItems, postmortems } = sampleData();
    await t.store.upsertIncidents(incidents);
    await t.store.upsertActionItems(actionItems);
    for (const p of postmortems) await t.store.savePostmortem(p);
  }
});
afterAll(async () => {
  await open.close();
  await locked.close();
});

describe('GET /api/digest/preview', () => {
  it('returns the card for last week, valid against the schema', async () => {
    const res = await request(open.app).get('/api/digest/preview').expect(200);
    expect(res.body).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(JSON.stringify(res.body)).toContain('Reliability digest, week 2026-W47');
    expect(cardValidator()(res.body)).toEqual([]);
  });

  it('takes ?week= for another week', async () => {
    const res = await request(open.app).get('/api/digest/preview').query({ week: '2026-W46' }).expect(200);
    expect(JSON.stringify(res.body)).toContain('Reliability digest, week 2026-W46');
  });

  it('refuses a bad week or an unknown parameter with a 400 naming it', async () => {
    const bad = await request(open.app).get('/api/digest/preview').query({ week: '2026-47' }).expect(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_input' });
    expect(bad.body.error.message).toContain('week must be an ISO week such as 2026-W47');
    const unknown = await request(open.app).get('/api/digest/preview').query({ weeks: '2026-W47' }).expect(400);
    expect(unknown.body.error.message).toContain('"weeks"');
  });

  it('needs credentials like the rest of the API', async () => {
    await request(locked.app).get('/api/digest/preview').expect(401);
    const res = await request(locked.app).get('/api/digest/preview').set('Authorization', `Bearer ${KEY}`).expect(200);
    expect(JSON.stringify(res.body)).toContain('https://pmi.example.com/api/digest/chart/2026-W47.png');
  });
});

describe('GET /api/digest/chart/:week.png', () => {
  it('is served without credentials (Teams fetches card images anonymously)', async () => {
    const res = await request(locked.app).get('/api/digest/chart/2026-W47.png').expect(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect((res.body as Buffer).length).toBeGreaterThan(1000);
  });

  it('refuses a week that is not one', async () => {
    const res = await request(locked.app).get('/api/digest/chart/2026-W99.png').expect(400);
    expect(res.body.error.message).toContain('ISO week');
  });
});

describe('GET /api/health digest block', () => {
  it('says nothing was posted yet, and where posts would go (host only)', async () => {
    const res = await request(open.app).get('/api/health').expect(200);
    expect(res.body.digest).toEqual({
      lastWeek: null,
      state: null,
      at: null,
      lastError: null,
      uncertainWeeks: [],
      failedWeeks: [],
      webhookHost: null,
    });
  });
});
