/**
 * Every error answer of the API comes from the one error handler (server/http/errorHandler.ts):
 * the middleware and routes pass typed errors to it, and their status, headers and body come
 * out as they are documented.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { testApp, type TestApp } from '../support/app.js';

const KEY = 'a-test-api-key-0123456789';
const SERVER = join(import.meta.dirname, '..', '..', 'server');

/** Stand-ins for other systems (the sample Jira, the Teams webhook sink) answer as those systems do. */
const OTHER_SYSTEMS = ['jira-sample/', 'digest/webhookSink.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('error responses', () => {
  it('are written by the error handler only', () => {
    const handWritten = /status\(\s*[45]\d\d\s*\)|\.json\(\s*\{\s*error\b|sendStatus\(|writeHead\(\s*[45]/;
    const offenders = sourceFiles(SERVER)
      .map((file) => relative(SERVER, file).split('\\').join('/'))
      .filter((file) => file !== 'http/errorHandler.ts' && !OTHER_SYSTEMS.some((other) => file.startsWith(other)))
      .filter((file) => handWritten.test(readFileSync(join(SERVER, file), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('a missing or wrong credential: 401 with WWW-Authenticate: Bearer, naming the mode', async () => {
    t = await testApp({ AUTH_MODE: 'api-key', API_KEYS: KEY });
    const missing = await request(t.app).get('/api/metrics').expect(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer');
    expect(missing.body).toEqual({
      error: { code: 'unauthorized', message: 'Send an API key as "Authorization: Bearer <key>". (AUTH_MODE=api-key)' },
    });
    const wrong = await request(t.app).get('/api/metrics').set('Authorization', 'Bearer not-the-key-0123456789');
    expect([wrong.status, wrong.headers['www-authenticate'], wrong.body]).toEqual([
      401,
      'Bearer',
      { error: { code: 'unauthorized', message: 'The API key is not one of API_KEYS. (AUTH_MODE=api-key)' } },
    ]);
  });

  it('a Jira webhook with a bad signature: 401 without a Bearer challenge (its credential is the signature)', async () => {
    t = await testApp({ AUTH_MODE: 'api-key', API_KEYS: KEY, JIRA_WEBHOOK_SECRET: 'a-webhook-secret-0123456789' });
    const res = await request(t.app).post('/api/jira/webhook').send({}).expect(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('a misdirected request (AUTH_MODE=none, another Host): 421 with the handler body', async () => {
    t = await testApp({ AUTH_MODE: 'none' });
    const res = await request(t.app).get('/api/metrics').set('Host', 'attacker.example').expect(421);
    expect(res.body).toEqual({
      error: { code: 'misdirected_request', message: expect.stringContaining('"attacker.example"') },
    });
  });

  it('too many writes: 429 with Retry-After and the handler body', async () => {
    t = await testApp({ AUTH_MODE: 'api-key', API_KEYS: KEY, RATE_LIMIT_WRITES: '1', RATE_LIMIT_WINDOW_SECONDS: '60' });
    const write = () => request(t!.app).post('/api/postmortems').set('Authorization', `Bearer ${KEY}`);
    await write();
    const limited = await write().expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.body).toEqual({
      error: {
        code: 'rate_limited',
        message: `Too many writes from this address (limit 1 per 60 s); try again in ${limited.headers['retry-after']} s.`,
      },
    });
  });
});
