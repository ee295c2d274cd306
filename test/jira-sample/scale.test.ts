import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { client } from './helpers.js';
import type { Json } from './helpers.js';

let jira: SampleJira;

beforeAll(async () => {
  jira = await startSampleJira({ seed: { incidents: 10_000, actionItems: 50_000 } });
}, 60_000);
afterAll(async () => {
  await jira.close();
});

describe('benchmark scale: 10,000 incidents and 50,000 action items', () => {
  it('generates the seed in seconds', () => {
    process.stdout.write(`sample Jira seed: ${jira.data.count()} issues in ${Math.round(jira.seedMs)} ms\n`);
    const issues = jira.data.store.issues;
    expect(issues.filter((i) => i.issueType.name === 'Incident')).toHaveLength(10_000);
    expect(issues.filter((i) => i.labels.includes('postmortem-action'))).toHaveLength(50_000);
    // Generous for a loaded two-core CI machine; about 3 s on an idle one.
    expect(jira.seedMs).toBeLessThan(30_000);
  });

  it('pages through every incident by token, each exactly once', async () => {
    jira.resetStats();
    const { pages, issues } = await client(jira).searchAll({
      jql: 'project = OPS AND issuetype = Incident ORDER BY updated ASC, key ASC',
      fields: ['summary', 'updated'],
      maxResults: 100,
    });
    expect(pages).toHaveLength(100);
    expect(new Set(issues.map((i: Json) => i.key)).size).toBe(10_000);
    const stats = jira.stats();
    process.stdout.write(
      `sample Jira: ${stats.requests} search pages, ${(stats.latencySumMs / stats.requests).toFixed(1)} ms server time per page\n`,
    );
    expect(stats.byRoute).toEqual({ 'POST /rest/api/3/search/jql': 100 });
  }, 60_000);
});
