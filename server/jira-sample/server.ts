/**
 * The HTTP layer of the sample Jira: basic auth, added latency, switchable faults (429
 * with Jira's rate-limit headers, 500, 503, or "do the work, then fail"), and per-request
 * timing. Plain node:http keeps per-request overhead small for the 60,000-issue benchmark.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { JqlError } from '../jira/jql/lexer.js';
import { SampleDataError } from './model.js';
import { createRoutes, jiraError } from './routes.js';
import type { RouteDeps, RouteRequest, RouteResult } from './routes.js';

export interface Fault {
  /** `METHOD /path-template`, e.g. `POST /rest/api/3/search/jql`; all routes when left out. */
  route?: string;
  status: 429 | 500 | 503;
  /** How many requests this fault answers before it is used up. */
  times: number;
  retryAfterSeconds?: number;
  /** Do the work first (create the issue, ...), then answer with the fault. */
  after?: boolean;
}

export interface SampleJiraStats {
  requests: number;
  /** Sum of each request's own server-side duration (arrival to last byte), added latency included. */
  latencySumMs: number;
  byRoute: Record<string, number>;
}

interface RouteDef {
  method: string;
  template: string;
  regex: RegExp;
  names: string[];
  handler: (req: RouteRequest) => RouteResult | Promise<RouteResult>;
}

function route(method: string, template: string, handler: RouteDef['handler']): RouteDef {
  const names: string[] = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { method, template, regex: new RegExp(`^${pattern}$`), names, handler };
}

export interface ServerState {
  latencyMs: number;
  faults: Fault[];
  stats: SampleJiraStats;
}

export interface HttpOptions {
  email: string;
  apiToken: string;
}

const JSON_TYPE = 'application/json;charset=UTF-8';

export function createSampleJiraServer(deps: RouteDeps, auth: HttpOptions, state: ServerState): Server {
  const r = createRoutes(deps);
  const routes: RouteDef[] = [
    route('GET', '/rest/api/3/search/jql', r.searchGet),
    route('POST', '/rest/api/3/search/jql', r.searchPost),
    route('GET', '/rest/api/3/search', r.removedSearch),
    route('POST', '/rest/api/3/search', r.removedSearch),
    route('GET', '/rest/api/3/field', r.fields),
    route('GET', '/rest/api/3/myself', r.myself),
    route('GET', '/rest/api/3/status', r.statuses),
    route('POST', '/rest/api/3/issue/bulk', r.createIssues),
    route('POST', '/rest/api/3/issue', r.createIssue),
    route('GET', '/rest/api/3/issue/{issueIdOrKey}', r.getIssue),
    route('GET', '/rest/api/3/issue/{issueIdOrKey}/changelog', r.getChangelog),
    route('POST', '/rest/api/3/changelog/bulkfetch', r.bulkChangelog),
    route('POST', '/rest/api/3/issueLink', r.linkIssues),
    route('POST', '/rest/api/3/issue/{issueIdOrKey}/transitions', r.transitionIssue),
    route('GET', '/rest/api/3/issueLinkType', r.linkTypes),
    route('GET', '/rest/api/3/issueLinkType/{issueLinkTypeId}', r.linkType),
    route('GET', '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}', r.getProperty),
    route('PUT', '/rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}', r.setProperty),
    route('GET', '/rest/api/3/user/search', r.findUsers),
  ];
  const expectedAuth = `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64')}`;

  function takeFault(routeKey: string, after: boolean): Fault | undefined {
    const fault = state.faults.find(
      (f) => f.times > 0 && (f.route === undefined || f.route === routeKey) && Boolean(f.after) === after,
    );
    if (fault) fault.times--;
    return fault;
  }

  function faultResult(fault: Fault, nowMs: number): RouteResult {
    const headers: Record<string, string> = {};
    if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = String(fault.retryAfterSeconds);
    if (fault.status === 429) {
      const retryAfter = fault.retryAfterSeconds ?? 1;
      headers['Retry-After'] = String(retryAfter);
      headers['X-RateLimit-Limit'] = '100';
      headers['X-RateLimit-Remaining'] = '0';
      headers['X-RateLimit-Reset'] = new Date(nowMs + retryAfter * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      headers['X-RateLimit-NearLimit'] = 'true';
      headers['RateLimit-Reason'] = 'jira-burst-based';
      return { ...jiraError(429, ['Rate limit exceeded.']), headers };
    }
    if (fault.status === 503)
      return {
        ...jiraError(503, ['Service Unavailable: the server is temporarily unable to handle the request.']),
        headers,
      };
    return { ...jiraError(500, ['Internal server error']), headers };
  }

  async function handle(req: IncomingMessage): Promise<{ routeKey: string; result: RouteResult }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (state.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, state.latencyMs));
    const url = new URL(req.url ?? '/', 'http://sample.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    let matched: { def: RouteDef; params: Record<string, string> } | undefined;
    for (const def of routes) {
      if (def.method !== method) continue;
      const m = def.regex.exec(url.pathname);
      if (m) {
        const params: Record<string, string> = {};
        def.names.forEach((name, index) => (params[name] = decodeURIComponent(m[index + 1] ?? '')));
        matched = { def, params };
        break;
      }
    }
    const routeKey = matched ? `${method} ${matched.def.template}` : `${method} (unmatched)`;
    const before = takeFault(routeKey, false);
    if (before) return { routeKey, result: faultResult(before, deps.clock()) };
    if (req.headers.authorization !== expectedAuth) {
      return {
        routeKey,
        result: {
          ...jiraError(401, ['Client must be authenticated to access this resource.']),
          headers: { 'WWW-Authenticate': 'Basic realm="protected-area"' },
        },
      };
    }
    if (!matched) return { routeKey, result: jiraError(404, [`null for uri: ${url.pathname}`]) };
    let body: unknown;
    const text = Buffer.concat(chunks).toString('utf8');
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        return {
          routeKey,
          result: jiraError(400, ['Unexpected character in the request body: it is not valid JSON.']),
        };
      }
    }
    let result: RouteResult;
    try {
      result = await matched.def.handler({ params: matched.params, query: url.searchParams, body, url });
    } catch (error) {
      if (error instanceof JqlError) result = jiraError(400, [error.message]);
      else if (error instanceof SampleDataError)
        result = jiraError(
          error.status,
          error.field ? [] : [error.message],
          error.field ? { [error.field]: error.message } : {},
        );
      else result = jiraError(500, ['Internal server error']);
    }
    const after = takeFault(routeKey, true);
    if (after) result = faultResult(after, deps.clock());
    return { routeKey, result };
  }

  return createServer((req, res) => {
    const started = performance.now();
    let routeKey = `${req.method ?? 'GET'} (unmatched)`;
    res.on('finish', () => {
      state.stats.requests++;
      state.stats.latencySumMs += performance.now() - started;
      state.stats.byRoute[routeKey] = (state.stats.byRoute[routeKey] ?? 0) + 1;
    });
    handle(req)
      .then(({ routeKey: key, result }) => {
        routeKey = key;
        const payload = result.body === undefined ? '' : JSON.stringify(result.body);
        res.writeHead(result.status, {
          ...(payload ? { 'Content-Type': JSON_TYPE } : {}),
          'Content-Length': Buffer.byteLength(payload),
          'X-AREQUESTID': `${Math.floor(started)}x1`,
          ...(result.headers ?? {}),
        });
        res.end(payload);
      })
      .catch(() => {
        const payload = JSON.stringify({ errorMessages: ['Internal server error'], errors: {} });
        res.writeHead(500, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(payload) });
        res.end(payload);
      });
  });
}
