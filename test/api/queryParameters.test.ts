/**
 * Every API route refuses a query parameter it does not know with the one error shape: a
 * 400 `{ error: { code: 'invalid_input', message } }` naming the parameter and what the
 * route accepts. The routes are read from the app itself, so a new route that forgets to
 * declare its query schema fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { testApp, type TestApp } from '../support/app.js';

/** Routes that take what their caller sends, each for a reason. */
const EXEMPT: Record<string, string> = {
  'GET /api/health': 'load balancers probe it with whatever they are configured to send',
  'GET /api/events': 'an event stream, reopened by the browser as it was first opened',
  'POST /api/jira/webhook': 'Jira posts to the URL an admin registered, query included; its signature is checked',
};

interface RouteLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: RouteLayer[] };
}

function apiRoutes(stack: RouteLayer[]): Array<{ method: string; path: string }> {
  const out: Array<{ method: string; path: string }> = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths.filter((p) => p.startsWith('/api/'))) {
        for (const method of Object.keys(layer.route.methods)) out.push({ method: method.toUpperCase(), path });
      }
    } else if (layer.handle?.stack) {
      out.push(...apiRoutes(layer.handle.stack));
    }
  }
  return out;
}

const SAMPLE_PARAMS: Record<string, string> = { key: 'OPS-1', week: '2026-W47' };

let t: TestApp;
beforeAll(async () => {
  t = await testApp({ AUTH_MODE: 'none', JIRA_WEBHOOK_SECRET: 'a-webhook-secret-for-tests-0123456789' });
});
afterAll(async () => {
  await t.close();
});

describe('query parameters', () => {
  const routes = () => apiRoutes((t.app as unknown as { router: { stack: RouteLayer[] } }).router.stack);

  it('finds the API routes of the app', () => {
    const names = routes().map((r) => `${r.method} ${r.path}`);
    expect(names).toEqual(
      expect.arrayContaining(['GET /api/metrics', 'POST /api/postmortems', ...Object.keys(EXEMPT)]),
    );
    expect(names.length).toBeGreaterThan(12);
  });

  it('every API route refuses an unknown parameter with the standard 400, naming it', async () => {
    const answers: Record<string, unknown> = {};
    for (const { method, path } of routes()) {
      const name = `${method} ${path}`;
      if (EXEMPT[name]) continue;
      const url = path.replace(/:(\w+)/g, (_m, param: string) => SAMPLE_PARAMS[param] ?? 'x');
      const req = method === 'POST' ? request(t.app).post(url) : request(t.app).get(url);
      const res = await req.query({ zzUnknown: '1' });
      answers[name] = { status: res.status, body: res.body as unknown };
    }
    const expected = Object.fromEntries(
      Object.keys(answers).map((name) => [
        name,
        {
          status: 400,
          body: {
            error: {
              code: 'invalid_input',
              message: expect.stringMatching(/^Unknown query parameter "zzUnknown"; this route accepts [\w ,]+\.$/),
            },
          },
        },
      ]),
    );
    expect(answers).toEqual(expected);
  });
});
