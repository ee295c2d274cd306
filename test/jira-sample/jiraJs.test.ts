/**
 * jira.js 6.2 validates every response with zod; with `onSchemaMismatch: 'throw'` Json shape it
 * does not accept fails the call. These calls are the ones the sync and import use.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
// This test checks the sample server against the client library itself, so it imports jira.js directly.
// eslint-disable-next-line no-restricted-imports
import { createCloudClient, isRateLimitError } from 'jira.js';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { adf } from './helpers.js';
import type { Json } from './helpers.js';

let jira: SampleJira;
let cloud: ReturnType<typeof createCloudClient>;

beforeAll(async () => {
  jira = await startSampleJira({ now: new Date('2026-11-27T03:00:00Z') });
  cloud = createCloudClient({
    host: jira.url,
    auth: { type: 'basic', email: jira.email, apiToken: jira.apiToken },
    onSchemaMismatch: 'throw',
  });
});
afterAll(async () => {
  await jira.close();
});

describe('jira.js 6.2 against the sample Jira', () => {
  it('searchAndReconsileIssuesUsingJqlPost pages through every incident with changelogs', async () => {
    const keys: string[] = [];
    let nextPageToken: string | undefined;
    let sawCappedChangelog = false;
    for (;;) {
      const page = await cloud.issueSearch.searchAndReconsileIssuesUsingJqlPost({
        jql: 'project = OPS AND issuetype = Incident AND updated >= "2026-01-01 00:00" ORDER BY updated ASC, key ASC',
        fields: [
          'summary',
          'status',
          'created',
          'updated',
          'resolutiondate',
          'issuelinks',
          'customfield_10040',
          'customfield_10041',
          'customfield_10042',
        ],
        expand: 'changelog',
        maxResults: 100,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const issue of page.issues ?? []) {
        keys.push(issue.key ?? '');
        if ((issue.changelog?.total ?? 0) > (issue.changelog?.histories?.length ?? 0)) sawCappedChangelog = true;
        const created = issue.changelog?.histories?.[0]?.created;
        if (created !== undefined) expect(created).toBeInstanceOf(Date);
      }
      if (page.isLast) break;
      nextPageToken = page.nextPageToken ?? undefined;
    }
    const expected = jira.data.store.issues.filter((i) => i.issueType.name === 'Incident').length;
    expect(keys).toHaveLength(expected);
    expect(sawCappedChangelog).toBe(true);
  });

  it('reads fields, myself, full changelogs and bulk changelogs', async () => {
    const fields = await cloud.issueFields.getFields();
    expect(fields.some((f) => f.name === 'Impact start')).toBe(true);
    const me = await cloud.myself.getCurrentUser();
    expect(me.timeZone).toBe('Europe/Berlin');
    const longKey = jira.data.store.issues.find((i) => i.histories.length > 45)?.key ?? '';
    const changelog = await cloud.issues.getChangeLogs({ issueIdOrKey: longKey, startAt: 0, maxResults: 100 });
    expect(changelog.values?.length).toBe(jira.data.store.get(longKey)?.histories.length);
    const bulk = await cloud.issues.getBulkChangelogs({ issueIdsOrKeys: [longKey] });
    expect(bulk.issueChangeLogs?.[0]?.changeHistories?.length).toBe(jira.data.store.get(longKey)?.histories.length);
    const issue = await cloud.issues.getIssue({ issueIdOrKey: longKey });
    expect(issue.key).toBe(longKey);
  });

  it('creates, links, sets properties and finds users', async () => {
    const created = await cloud.issues.createIssue({
      fields: {
        project: { key: 'REL' },
        issuetype: { name: 'Task' },
        summary: 'From jira.js',
        description: adf('Made by the test.') as never,
        labels: ['postmortem-action'],
      },
    });
    expect(created.key).toMatch(/^REL-\d+$/);
    const bulk = await cloud.issues.createIssues({
      issueUpdates: [
        {
          fields: {
            project: { key: 'REL' },
            issuetype: { name: 'Task' },
            summary: 'Bulk from jira.js',
            description: adf('x') as never,
          },
        },
      ],
    });
    expect(bulk.issues).toHaveLength(1);
    await cloud.issueLinks.linkIssues({
      type: { name: 'Relates' },
      inwardIssue: { key: created.key },
      outwardIssue: { key: 'OPS-1' },
    });
    expect((jira.data.issue(created.key ?? '') as Json).fields.issuelinks).toHaveLength(1);
    const types = await cloud.issueLinkTypes.getIssueLinkTypes();
    expect(types.issueLinkTypes?.length).toBeGreaterThan(3);
    await cloud.issueProperties.setIssueProperty({
      issueIdOrKey: created.key ?? '',
      propertyKey: 'pm.import',
      body: { id: 'x1' },
    });
    const property = await cloud.issueProperties.getIssueProperty({
      issueIdOrKey: created.key ?? '',
      propertyKey: 'pm.import',
    });
    expect(property.value).toEqual({ id: 'x1' });
    const users = await cloud.userSearch.findUsers({ query: 'priya' });
    expect(users[0]?.displayName).toBe('Priya Sharma');
  });

  it('a 429 becomes jira.js RateLimitError with retryAfterMs from Retry-After', async () => {
    jira.injectFaults([{ route: 'GET /rest/api/3/myself', status: 429, times: 1, retryAfterSeconds: 3 }]);
    const error = await cloud.myself.getCurrentUser().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isRateLimitError(error)).toBe(true);
    expect((error as { retryAfterMs?: number }).retryAfterMs).toBe(3000);
  });
});
