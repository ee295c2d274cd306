import { parsePostmortem } from '../../../server/postmortem/parse.js';
import { describe, expect, it } from '@jest/globals';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { Postmortem } from '../../../server/domain/types.js';
import { actionItemViews } from '../../../server/metrics/index.js';
import { formatDuration, renderPostmortemMarkdown } from '../../../server/postmortem/export.js';
import { actionItem, incident, SLA } from '../metrics/fixtures.js';

const now = new Date('2026-11-20T12:00:00.000Z');

function views(
  items = [
    actionItem('OPS-7', {
      summary: 'Add | pool alarm',
      jiraDueDate: '2026-11-30',
      status: 'In Progress',
      statusCategory: 'indeterminate',
    }),
  ],
) {
  return actionItemViews(items, new Map([['OPS-1', incident('OPS-1')]]), { now, timezone: 'UTC', slaDays: SLA });
}

describe('formatDuration', () => {
  it('uses the two largest units', () => {
    expect(formatDuration(0)).toBe('0 seconds');
    expect(formatDuration(300)).toBe('5 minutes');
    expect(formatDuration(8100)).toBe('2 hours 15 minutes');
    expect(formatDuration(3600)).toBe('1 hour');
    expect(formatDuration(90061)).toBe('1 day 1 hour');
  });
});

describe('renderPostmortemMarkdown', () => {
  it('fills what Jira knows and keeps the prompts for the rest', () => {
    const inc = incident('OPS-1', {
      summary: 'Checkout errors',
      services: ['payments', 'api'],
      severity: 'P1',
      timeline: [
        { at: '2026-11-02T10:07:00.000Z', event: 'Status: Open → In Progress', owner: 'Ada', source: 'jira' },
        { at: '2026-11-02T11:00:00.000Z', event: 'Status: In Progress → Resolved', owner: null, source: 'jira' },
      ],
    });
    const md = renderPostmortemMarkdown({
      incident: inc,
      actionItems: views(),
      postmortem: null,
      publicUrl: 'https://pi.example.test/',
    });
    expect(md).toContain('# Post-Mortem Report: Checkout errors');
    expect(md).toContain('*   **Incident ID:** OPS-1');
    expect(md).toContain('*   **Date & Time (UTC):** 2026-11-02 10:00 - 2026-11-02 11:00');
    expect(md).toContain('*   **Duration:** 1 hour');
    expect(md).toContain('*   **Service(s) Affected:** payments, api');
    expect(md).toContain('*   **Severity:** P1');
    expect(md).toContain('*   **Impact:** [Concise description');
    expect(md).toContain('*   **Incident Commander:** Ada');
    expect(md).toContain('*   **Key Responders:** [List of individuals/teams involved]');
    expect(md).toContain('*   **How was the incident detected?** Monitoring alert');
    expect(md).toContain('*   **Time to Detect (MTTD):** 5 minutes');
    expect(md).toContain('*   **Time to Acknowledge (MTTA):** 2 minutes');
    expect(md).toContain('*   **Time to Resolve (MTTR):** 1 hour');
    expect(md).toContain('| 2026-11-02 10:07 | Status: Open → In Progress | Ada |');
    expect(md).toContain('| 2026-11-02 11:00 | Status: In Progress → Resolved | [Owner] |');
    expect(md).toContain('| OPS-7 | Add \\| pool alarm | Grace | 2026-11-30 | In Progress |');
    expect(md).toContain('*   **What was the immediate cause?** [e.g.,');
    expect(md).toContain('*   [Jira: OPS-1](https://jira.example.test/browse/OPS-1)');
    expect(md).toContain('*   [Postmortem Insights dashboard](https://pi.example.test/tab)');
    // the eight sections of the template, in order
    const headings = md.split('\n').filter((line) => line.startsWith('## '));
    expect(headings).toEqual([
      '## 1. Incident Summary',
      '## 2. Detection',
      '## 3. Response Timeline',
      '## 4. Root Cause Analysis',
      '## 5. Resolution',
      '## 6. Lessons Learned',
      '## 7. Action Items',
      '## 8. Supporting Information',
    ]);
  });

  it('leaves time metrics as prompts when points are missing or out of order', () => {
    const inc = incident('OPS-1', {
      detectedAt: '2026-11-02T09:00:00.000Z',
      acknowledgedAt: null,
      resolvedAt: null,
      endedAt: null,
    });
    const md = renderPostmortemMarkdown({ incident: inc, actionItems: [], postmortem: null });
    expect(md).toContain('*   **Time to Detect (MTTD):** [e.g., 5 minutes]');
    expect(md).toContain('*   **Time to Acknowledge (MTTA):** [e.g., 2 minutes]');
    expect(md).toContain('*   **Time to Resolve (MTTR):** [e.g., 1 hour 30 minutes]');
    expect(md).toContain('2026-11-02 10:00 - [End Time]');
    expect(md).toContain('| [YYYY-MM-DD HH:MM] | [Event] | [Owner] |');
    expect(md).toContain('| [ID] | [Description] | [Owner] | YYYY-MM-DD | [Status] |');
  });

  it('uses what an imported post-mortem says', () => {
    const postmortem: Postmortem = {
      incidentKey: 'OPS-1',
      title: 'Checkout outage',
      summary: {
        incidentId: 'OPS-1',
        startedAt: null,
        endedAt: null,
        durationSeconds: null,
        services: [],
        severity: 'P1',
        impact: 'Checkout failed for 12% of users',
        commander: null,
        responders: ['Ada', 'Linus'],
      },
      detection: { method: null, timeToDetectSeconds: null, effective: 'Yes, the alert fired in time' },
      timeline: [
        { at: '2026-11-02T10:30:00.000Z', event: 'Rolled back release 41', owner: 'Linus', source: 'document' },
      ],
      timeToAcknowledgeSeconds: null,
      timeToResolveSeconds: null,
      rootCause: {
        immediateCause: 'Connection pool exhausted',
        contributingFactors: ['No load test', 'Alert too high'],
        fiveWhys: ['Pool too small', 'Default config'],
      },
      resolution: { how: 'Rolled back', effective: 'Yes' },
      lessons: { wentWell: ['Fast rollback'], couldBeBetter: ['Slow paging'] },
      actionItems: [
        {
          ref: 'OPS-1-1',
          jiraKey: 'OPS-7',
          description: 'Add pool alarm',
          owner: 'Grace',
          dueDate: '2026-11-30',
          status: 'Open',
        },
        { ref: 'OPS-1-2', jiraKey: null, description: 'Write runbook', owner: null, dueDate: null, status: 'Open' },
      ],
      links: [{ label: 'Grafana board', url: 'https://grafana.example.test/d/1' }],
      importedAt: '2026-11-05T00:00:00.000Z',
    };
    const md = renderPostmortemMarkdown({ incident: incident('OPS-1'), actionItems: views(), postmortem });
    expect(md).toContain('# Post-Mortem Report: Checkout outage');
    expect(md).toContain('*   **Impact:** Checkout failed for 12% of users');
    expect(md).toContain('*   **Key Responders:** Ada, Linus');
    expect(md).toContain('*   **Was detection effective?** Yes, the alert fired in time');
    expect(md).toContain('| 2026-11-02 10:30 | Rolled back release 41 | Linus |');
    expect(md).toContain('*   **What was the immediate cause?** Connection pool exhausted');
    expect(md).toContain('*   **What were the contributing factors?**\n    *   No load test\n    *   Alert too high');
    expect(md).toContain('1. Pool too small 2. Default config');
    expect(md).toContain('*   **What went well?**\n    *   Fast rollback');
    expect(md).toContain('*   **What could have gone better?**\n    *   Slow paging');
    // What the export writes, the importer reads back item by item.
    const back = parsePostmortem(md, { now: new Date('2026-11-06T00:00:00.000Z') }).postmortem;
    expect(back.rootCause).toEqual(postmortem.rootCause);
    expect(back.lessons).toEqual(postmortem.lessons);
    expect(back.summary.responders).toEqual(['Ada', 'Linus']);
    expect(md).toContain('| OPS-1-2 | Write runbook | [Owner] | YYYY-MM-DD | Open |');
    expect(md.match(/\| OPS-7 \|/g)).toHaveLength(1);
    expect(md).toContain('*   [Grafana board](https://grafana.example.test/d/1)');
  });

  it('neutralises links to anything but http(s) and mailto, from the document and from Jira text', () => {
    const inc = incident('OPS-1', {
      summary: 'Click [here](javascript:alert(1)) or <javascript:alert(2)> or [x](&#106;avascript:alert(3))',
    });
    const postmortem: Postmortem = {
      ...parsePostmortem('# Post-mortem: OPS-1\n\n- **Incident ID:** OPS-1\n', { now }).postmortem,
      links: [
        { label: 'Runbook', url: 'javascript:alert(document.cookie)' },
        { label: 'Data', url: 'data:text/html,<script>alert(1)</script>' },
        { label: 'Grafana board', url: 'https://grafana.example.test/d/1' },
        { label: 'Mail the team', url: 'mailto:sre@example.test' },
      ],
    };
    const md = renderPostmortemMarkdown({ incident: inc, actionItems: views(), postmortem, publicUrl: null });
    expect(md).not.toMatch(/\]\(\s*(?:javascript|data|&#106;)/i);
    expect(md).not.toMatch(/(?<!\\)<javascript:/i);
    expect(md).toContain('*   Runbook\n');
    expect(md).toContain('*   Data\n');
    expect(md).toContain('*   [Grafana board](https://grafana.example.test/d/1)');
    expect(md).toContain('*   [Mail the team](mailto:sre@example.test)');
    // Read back as markdown, no link goes anywhere but http(s) or mailto.
    const links: string[] = [];
    const walk = (node: { type: string; url?: string; children?: unknown[] }): void => {
      if (node.type === 'link' || node.type === 'image') links.push(node.url ?? '');
      for (const child of node.children ?? []) walk(child as typeof node);
    };
    walk(unified().use(remarkParse).use(remarkGfm).parse(md) as unknown as { type: string });
    expect(links.length).toBeGreaterThan(1);
    expect(links.filter((url) => !/^(?:https?:|mailto:)/.test(url))).toEqual([]);
  });
});
