import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseConfigFileObject } from '../../server/config/config.js';
import { demoConfig, startSampleJira } from '../../server/jira-sample/index.js';
import type { SampleJira } from '../../server/jira-sample/index.js';
import { client } from './helpers.js';
import type { Json } from './helpers.js';

let jira: SampleJira;

beforeAll(async () => {
  jira = await startSampleJira({ now: new Date('2026-11-27T03:00:00Z') });
});
afterAll(async () => {
  await jira.close();
});

describe('demoConfig', () => {
  it('is a valid config file object', () => {
    const parsed = parseConfigFileObject(JSON.parse(JSON.stringify(demoConfig)), 'demoConfig');
    expect(parsed.mapping.fields.startedAt).toBe('Impact start');
    expect(parsed.mapping.severityMap['SEV-1']).toBe('P0');
  });

  it('names fields that GET /rest/api/3/field resolves, each exactly once', async () => {
    const fields = (await client(jira).get('/rest/api/3/field')).body as Json[];
    for (const name of Object.values(demoConfig.jira.fields)) {
      if (name === null) continue;
      expect(fields.filter((f) => f.name === name || f.id === name)).toHaveLength(1);
    }
  });

  it('its two JQLs find the seeded incidents and action items', async () => {
    const api = client(jira);
    const incidents = await api.searchAll({ jql: demoConfig.jira.incidentJql, maxResults: 100 });
    const items = await api.searchAll({ jql: demoConfig.jira.actionItemJql, maxResults: 100 });
    const store = jira.data.store.issues;
    expect(incidents.issues).toHaveLength(store.filter((i) => i.issueType.name === 'Incident').length);
    expect(items.issues).toHaveLength(store.filter((i) => i.labels.includes('postmortem-action')).length);
  });
});
