/**
 * A Jira Cloud-compatible sample server for demo mode, tests and benchmarks. It answers the
 * REST v3 routes the product uses the way Jira Cloud does, on loopback, seeded with a
 * deterministic reliability history relative to `now`.
 */
import type { AddressInfo } from 'node:net';
import { IANAZone } from 'luxon';
import { DEMO_SEED, seedIssues, seedUsers } from './seed.js';
import type { SeedSize } from './seed.js';
import { IssueStore } from './model.js';
import type { IssueChanges, NewIssueInput, SampleUser } from './model.js';
import { renderIssue, resolveFieldSelection } from './render.js';
import type { RenderContext } from './render.js';
import { createSampleJiraServer } from './server.js';
import type { Fault, SampleJiraStats, ServerState } from './server.js';
import { attachWebhookSender, type SampleWebhookTarget } from './webhooks.js';

export type { SampleWebhookTarget } from './webhooks.js';
export type { Fault, SampleJiraStats } from './server.js';
export type { IssueChanges, NewIssueInput, SampleUser, CustomValue, CustomInput, AdfDoc } from './model.js';
export { demoConfig } from './demoConfig.js';
export type { SeedSize } from './seed.js';
export { FIELD_IDS } from './catalog.js';

export interface SampleJiraOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Loopback by default. */
  host?: string;
  /** The instant the seed is generated relative to (default: now). */
  now?: Date;
  /** The clock for writes (created/updated of new issues, link times); default `Date.now`. */
  clock?: () => number;
  /** `demo` (default): 180 incidents, 640 action items. `empty`: users only. */
  seed?: 'demo' | 'empty' | SeedSize;
  latencyMs?: number;
  email?: string;
  apiToken?: string;
  /** The API user's profile zone: `myself.timeZone`, JQL date literals, system timestamps. */
  timeZone?: string;
  /** The zone custom date-time values are shown in (their offset differs on purpose). */
  customFieldTimeZone?: string;
  /** Where to deliver signed webhooks for every write (also settable later with `setWebhook`). */
  webhook?: SampleWebhookTarget | null;
}

export interface SampleJiraData {
  /** The issue as `GET /rest/api/3/issue/{key}` renders it (all fields), or undefined. */
  issue(key: string, options?: { changelog?: boolean }): Record<string, unknown> | undefined;
  keys(): string[];
  count(): number;
  users(): SampleUser[];
  /** Creates an issue (status To Do unless `status` is given; created = updated = clock or `created`). Returns its key. */
  addIssue(input: NewIssueInput): string;
  /** Edits fields, bumps `updated`, appends one changelog history. */
  updateIssue(key: string, changes: IssueChanges, at?: Date): void;
  /** Moves to a status; entering Done sets resolution/resolutiondate unless `setResolution: false`. */
  transition(
    key: string,
    statusName: string,
    options?: { at?: Date; resolution?: string; setResolution?: boolean },
  ): void;
  /** Deletes an issue (its links go with it), as `DELETE /rest/api/3/issue/{key}` does. */
  deleteIssue(key: string): void;
  /** Links like `POST /rest/api/3/issueLink` (inward issue `outward`-verbs the outward issue). */
  link(inwardKey: string, outwardKey: string, typeName: string, at?: Date): void;
  setProperty(key: string, propertyKey: string, value: unknown): void;
  getProperty(key: string, propertyKey: string): unknown;
  /** The raw in-memory store, for tests that need more. */
  store: IssueStore;
}

export interface SampleJira {
  url: string;
  email: string;
  apiToken: string;
  timeZone: string;
  /** Milliseconds the seed took to generate. */
  seedMs: number;
  close(): Promise<void>;
  stats(): SampleJiraStats;
  resetStats(): void;
  setLatency(ms: number): void;
  injectFaults(faults: Fault[]): void;
  clearFaults(): void;
  /** Sends a signed webhook delivery for each write from now on (null: stop). */
  setWebhook(target: SampleWebhookTarget | null): void;
  /** Resolves when every webhook delivery sent so far has been answered. */
  webhooksSettled(): Promise<void>;
  data: SampleJiraData;
}

export const DEFAULT_EMAIL = 'demo@example.com';
export const DEFAULT_API_TOKEN = 'demo-token';
export const DEFAULT_TIME_ZONE = 'Europe/Berlin';
export const API_USER_ACCOUNT_ID = '557058:f58131cb-b67d-43c7-b30d-6b58d40bd077';

export async function startSampleJira(options: SampleJiraOptions = {}): Promise<SampleJira> {
  const email = options.email ?? DEFAULT_EMAIL;
  const apiToken = options.apiToken ?? DEFAULT_API_TOKEN;
  const zone = options.timeZone ?? DEFAULT_TIME_ZONE;
  for (const [name, value] of [
    ['timeZone', zone],
    ['customFieldTimeZone', options.customFieldTimeZone],
  ] as const) {
    if (value !== undefined && !IANAZone.isValidZone(value)) {
      throw new Error(
        `startSampleJira: ${name} "${value}" is not an IANA time zone name; use one such as "Europe/Berlin".`,
      );
    }
  }
  const clock = options.clock ?? (() => Date.now());
  const nowMs = (options.now ?? new Date(clock())).getTime();
  const apiUser: SampleUser = {
    accountId: API_USER_ACCOUNT_ID,
    displayName: 'Reliability Automation',
    emailAddress: email,
    active: true,
    timeZone: zone,
  };
  const store = new IssueStore(clock, apiUser.accountId);
  const seedSize = options.seed === undefined || options.seed === 'demo' ? DEMO_SEED : options.seed;
  const seedStarted = performance.now();
  seedUsers(store, apiUser, seedSize === 'empty' ? 1 : (seedSize.seed ?? 1));
  if (seedSize !== 'empty') seedIssues(store, seedSize, nowMs, zone);
  const seedMs = performance.now() - seedStarted;

  const render: RenderContext = {
    baseUrl: '',
    zone,
    customFieldZone: options.customFieldTimeZone ?? 'Asia/Kolkata',
    store,
  };
  const state: ServerState = {
    latencyMs: options.latencyMs ?? 0,
    faults: [],
    stats: { requests: 0, latencySumMs: 0, byRoute: {} },
  };
  const server = createSampleJiraServer({ store, render, apiUser, clock }, { email, apiToken }, state);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  render.baseUrl = url;
  const webhooks = attachWebhookSender(store, () => url);
  webhooks.set(options.webhook ?? null);

  const data: SampleJiraData = {
    issue(key, opts = {}) {
      const issue = store.get(key);
      if (!issue) return undefined;
      return renderIssue(render, issue, {
        fieldIds: resolveFieldSelection(undefined, 'all'),
        changelogLimit: opts.changelog ? Number.MAX_SAFE_INTEGER : null,
        names: false,
        schema: false,
        properties: [],
      });
    },
    keys: () => store.issues.map((i) => i.key),
    count: () => store.issues.length,
    users: () => [...store.users],
    addIssue: (input) => store.create(input).key,
    updateIssue: (key, changes, at) => void store.update(key, changes, at),
    transition: (key, statusName, opts = {}) => void store.transition(key, statusName, opts),
    deleteIssue: (key) => void store.remove(key),
    link: (inwardKey, outwardKey, typeName, at) => void store.link(inwardKey, outwardKey, typeName, at),
    setProperty: (key, propertyKey, value) => void store.setProperty(key, propertyKey, value),
    getProperty: (key, propertyKey) => store.require(key).properties?.get(propertyKey),
    store,
  };

  return {
    url,
    email,
    apiToken,
    timeZone: zone,
    seedMs,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    stats: () => ({ ...state.stats, byRoute: { ...state.stats.byRoute } }),
    resetStats: () => {
      state.stats = { requests: 0, latencySumMs: 0, byRoute: {} };
    },
    setLatency: (ms) => {
      state.latencyMs = ms;
    },
    injectFaults: (faults) => {
      state.faults.push(...faults.map((f) => ({ ...f })));
    },
    clearFaults: () => {
      state.faults.length = 0;
    },
    setWebhook: (target) => webhooks.set(target),
    webhooksSettled: () => webhooks.settled(),
    data,
  };
}
