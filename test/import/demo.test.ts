/** Demo mode (`npm start` without Jira): action-item tickets go to the built-in sample Jira. */
import { rmSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { start } from '../../server/main.js';
import { DEFAULT_API_TOKEN, DEFAULT_EMAIL } from '../../server/jira-sample/index.js';
import { tempDir } from '../support/stores.js';

describe('demo mode', () => {
  it('creates an action-item ticket in the sample Jira the sync reads, linked to the incident', async () => {
    const dataDir = tempDir('pmi-import-demo-');
    const running = await start({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', CONFIG_FILE: '' });
    try {
      expect(running.config.demo).toBe(true);
      // The metrics state was loaded once, before the server listened: the first answer reads it.
      expect(running.services.metrics.stats.loads).toBe(1);
      const metrics = await fetch(`${running.url}/api/metrics`);
      expect(metrics.status).toBe(200);
      expect(running.services.metrics.stats.loads).toBe(1);
      const [incident] = await running.store.findIncidents({}, { limit: 1 });
      expect(incident).toBeDefined();
      const res = await fetch(`${running.url}/api/incidents/${incident!.key}/action-items`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ summary: 'Add a saturation alert for the connection pool', dueDate: '2026-12-15' }),
      });
      expect(res.status).toBe(201);
      const { key, url } = (await res.json()) as { key: string; url: string };
      expect(key).toMatch(/^REL-\d+$/);
      const jiraBase = url.replace(/\/browse\/.*$/, '');
      const issue = (await (
        await fetch(`${jiraBase}/rest/api/3/issue/${key}?fields=summary,labels,issuelinks,duedate`, {
          headers: {
            Authorization: `Basic ${Buffer.from(`${DEFAULT_EMAIL}:${DEFAULT_API_TOKEN}`).toString('base64')}`,
          },
        })
      ).json()) as {
        fields: {
          summary: string;
          labels: string[];
          duedate: string;
          issuelinks: Array<{ outwardIssue?: { key: string } }>;
        };
      };
      expect(issue.fields).toMatchObject({
        summary: 'Add a saturation alert for the connection pool',
        duedate: '2026-12-15',
        labels: expect.arrayContaining(['postmortem-action']),
      });
      expect(issue.fields.issuelinks.map((l) => l.outwardIssue?.key)).toContain(incident!.key);
    } finally {
      await running.shutdown('test');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
