/**
 * Sync at scale: a first sync of the seeded sample Jira into an empty store, then a second
 * one with nothing changed. Each runs in its own process (bench/syncChild.ts); the sample
 * Jira runs in this one and counts the requests and its own time spent on each.
 */
import type { SampleJira, SampleJiraStats } from '../server/jira-sample/index.js';
import { runChild } from './children.js';
import { ratio, type Figure } from './report.js';
import type { SyncChildResult } from './syncChild.js';

/** The sync runs two JQL queries: incidents, then action items. */
export const SYNC_QUERIES = 2;

export interface SyncRunDetails {
  child: SyncChildResult;
  jira: SampleJiraStats;
}

export interface SyncBenchResult {
  figures: Figure[];
  first: SyncRunDetails | null;
  second: SyncRunDetails | null;
  error: string | null;
}

async function syncOnce(jira: SampleJira, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<SyncRunDetails> {
  jira.resetStats();
  const child = await runChild<SyncChildResult>('./syncChild.ts', env, timeoutMs);
  const stats = jira.stats();
  if (!child.ok) throw new Error(`the sync reported a failure: ${child.error ?? 'no message'}`);
  return { child, jira: stats };
}

export function syncEnv(jira: SampleJira, storeEnv: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...storeEnv, JIRA_BASE_URL: jira.url, JIRA_EMAIL: jira.email, JIRA_API_TOKEN: jira.apiToken };
}

/** The figures of a first and a second sync (either may be missing after a failure). */
export function syncFigures(
  group: string,
  first: SyncRunDetails | null,
  second: SyncRunDetails | null,
  expected: { incidents: number; actionItems: number },
  error: string | null,
  /** The wall time / latency sum target (null: reported for context only). */
  latencyTarget: number | null = 1.2,
): Figure[] {
  const f = first;
  const stored = f ? f.child.incidents.inserted + f.child.incidents.updated : null;
  const storedItems = f ? f.child.actionItems.inserted + f.child.actionItems.updated : null;
  const countNote = f
    ? stored === expected.incidents && storedItems === expected.actionItems
      ? `stored ${stored.toLocaleString('en-US')} incidents, ${storedItems?.toLocaleString('en-US')} action items`
      : `stored ${stored} of ${expected.incidents} incidents and ${storedItems} of ${expected.actionItems} action items`
    : (error ?? undefined);
  const routes = (stats: SampleJiraStats) =>
    Object.entries(stats.byRoute)
      .map(([route, n]) => `${route.replace('/rest/api/3', '')} ${n}`)
      .join(', ');
  return [
    {
      id: 'sync.wallMs',
      group,
      label: 'first sync: wall time',
      value: f?.child.wallMs ?? null,
      unit: 'ms',
      ...(countNote ? { note: countNote } : {}),
    },
    {
      id: 'sync.requests',
      group,
      label: 'first sync: requests to Jira',
      value: f?.jira.requests ?? null,
      unit: 'count',
      ...(f ? { note: routes(f.jira) } : {}),
    },
    {
      id: 'sync.jiraLatencySumMs',
      group,
      label: "first sync: sum of Jira's own request latencies",
      value: f?.jira.latencySumMs ?? null,
      unit: 'ms',
    },
    {
      id: 'sync.latencyRatio',
      group,
      label: 'first sync: wall time / Jira latency sum',
      value: ratio(f?.child.wallMs, f?.jira.latencySumMs),
      unit: 'x',
      ...(latencyTarget === null ? {} : { target: { max: latencyTarget } }),
      ...(f ? {} : { note: error ?? 'not run' }),
    },
    {
      id: 'sync.peakRssMB',
      group,
      label: 'first sync: peak RSS of the sync process',
      value: f ? f.child.maxRssBytes / 1024 / 1024 : null,
      unit: 'MB',
    },
    {
      id: 'sync.unchanged.requests',
      group,
      label: 'second sync, nothing changed: requests',
      value: second?.jira.requests ?? null,
      unit: 'count',
      ...(second
        ? {
            note: `${routes(second.jira)}; re-read ${second.child.incidents.unchanged} incidents, ${second.child.actionItems.unchanged} action items`,
          }
        : {}),
    },
    {
      id: 'sync.unchanged.requestsPerQuery',
      group,
      label: `second sync: requests per query (${SYNC_QUERIES} queries)`,
      value: second ? second.jira.requests / SYNC_QUERIES : null,
      unit: 'req/query',
      target: { max: 2 },
      ...(second ? {} : { note: error ?? 'not run' }),
    },
  ];
}

export async function measureSync(
  jira: SampleJira,
  storeEnv: NodeJS.ProcessEnv,
  expected: { incidents: number; actionItems: number },
  options: { group: string; timeoutMs: number; onStep?: (line: string) => void; latencyTarget?: number | null },
): Promise<SyncBenchResult> {
  const env = syncEnv(jira, storeEnv);
  let first: SyncRunDetails | null = null;
  let second: SyncRunDetails | null = null;
  let error: string | null = null;
  try {
    options.onStep?.('first sync (empty store)');
    first = await syncOnce(jira, env, options.timeoutMs);
    options.onStep?.(`  ${Math.round(first.child.wallMs)} ms, ${first.jira.requests} requests`);
    options.onStep?.('second sync (nothing changed)');
    second = await syncOnce(jira, env, options.timeoutMs);
    options.onStep?.(`  ${Math.round(second.child.wallMs)} ms, ${second.jira.requests} requests`);
  } catch (caught) {
    error = caught instanceof Error ? caught.message : String(caught);
  }
  return {
    figures: syncFigures(options.group, first, second, expected, error, options.latencyTarget ?? null),
    first,
    second,
    error,
  };
}
