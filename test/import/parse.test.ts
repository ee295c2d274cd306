import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parsePostmortem, PostmortemParseError, incidentKeyOf } from '../../server/postmortem/parse.js';
import { InputError } from '../../server/errors.js';
import {
  cleanText,
  isJiraKey,
  isPlaceholder,
  parseCalendarDate,
  parseDuration,
  parseMoment,
  parseSeverity,
  splitList,
} from '../../server/postmortem/values.js';

const now = new Date('2026-11-27T10:00:00Z');
const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/postmortems/${name}`, import.meta.url), 'utf8');
const parse = (markdown: string) => parsePostmortem(markdown, { now });
const problemsOf = (markdown: string) => {
  try {
    parse(markdown);
  } catch (error) {
    expect(error).toBeInstanceOf(PostmortemParseError);
    expect(error).toBeInstanceOf(InputError);
    return (error as PostmortemParseError).problems;
  }
  throw new Error('expected the document to be refused');
};

describe('values', () => {
  it('treats template placeholders as empty', () => {
    for (const text of [
      '[Name]',
      '[Start Time] - [End Time]',
      'YYYY-MM-DD',
      '[YYYY-MM-DD HH:MM]',
      'TBD',
      'N/A',
      '-',
      '',
      '  ',
      '[e.g., 5 minutes]',
    ]) {
      expect(isPlaceholder(text)).toBe(true);
      expect(cleanText(text)).toBeNull();
    }
    for (const text of ['Priya', 'P1', '2026-11-03', 'Nov 3, 2026']) expect(isPlaceholder(text)).toBe(false);
    expect(cleanText('"Automated alert from Prometheus"')).toBe('Automated alert from Prometheus');
  });

  it('reads durations in every spelling the issue lists', () => {
    expect(parseDuration('2 hours 15 minutes')).toBe(8100);
    expect(parseDuration('2h15m')).toBe(8100);
    expect(parseDuration('2h 15m')).toBe(8100);
    expect(parseDuration('135 min')).toBe(8100);
    expect(parseDuration('1 hour and 30 minutes')).toBe(5400);
    expect(parseDuration('1.5 hours')).toBe(5400);
    expect(parseDuration('~5 minutes (alert to page)')).toBe(300);
    expect(parseDuration('01:30:00')).toBe(5400);
    expect(parseDuration('45s')).toBe(45);
    expect(parseDuration('[e.g., 2 hours 15 minutes]')).toBeNull();
    expect(parseDuration('a while')).toBeUndefined();
    expect(parseDuration('5 parsecs')).toBeUndefined();
    expect(parseDuration('90')).toBeUndefined();
  });

  it('reads dates and times in every spelling the issue lists', () => {
    expect(parseMoment('2026-11-03', 'UTC')?.instant).toBe('2026-11-03T00:00:00.000Z');
    expect(parseMoment('2026-11-03 14:05', 'UTC')).toEqual({
      instant: '2026-11-03T14:05:00.000Z',
      hasDate: true,
      hasTime: true,
    });
    expect(parseMoment('Nov 3, 2026', 'UTC')).toEqual({
      instant: '2026-11-03T00:00:00.000Z',
      hasDate: true,
      hasTime: false,
    });
    expect(parseMoment('Nov 3, 2026 2:05 PM', 'UTC')?.instant).toBe('2026-11-03T14:05:00.000Z');
    expect(parseMoment('November 3rd, 2026 14:05 UTC', 'UTC')?.instant).toBe('2026-11-03T14:05:00.000Z');
    expect(parseMoment('2026-11-03T14:05:00+02:00', 'UTC')?.instant).toBe('2026-11-03T12:05:00.000Z');
    expect(parseMoment('3 Nov 2026 14:05 +01:00', 'UTC')?.instant).toBe('2026-11-03T13:05:00.000Z');
    expect(parseMoment('14:05', 'UTC', '2026-11-03')).toEqual({
      instant: '2026-11-03T14:05:00.000Z',
      hasDate: false,
      hasTime: true,
    });
    expect(parseMoment('14:05', 'UTC')).toBeUndefined();
    expect(parseMoment('[YYYY-MM-DD HH:MM]', 'UTC')).toBeNull();
    expect(parseMoment('yesterday', 'UTC')).toBeUndefined();
    expect(parseCalendarDate('2026-11-03')).toBe('2026-11-03');
    expect(parseCalendarDate('Nov 3, 2026')).toBe('2026-11-03');
    expect(parseCalendarDate('2026-11-03 14:05')).toBe('2026-11-03');
    expect(parseCalendarDate('2026-02-30')).toBeUndefined();
    expect(parseCalendarDate('YYYY-MM-DD')).toBeNull();
    expect(parseCalendarDate('next week')).toBeUndefined();
  });

  it('reads severities and Jira keys', () => {
    expect(parseSeverity('P1')).toBe('P1');
    expect(parseSeverity('p0')).toBe('P0');
    expect(parseSeverity('SEV-2')).toBe('P2');
    expect(parseSeverity('P2 - Medium')).toBe('P2');
    expect(parseSeverity('[P0, P1, P2]')).toBeNull();
    expect(parseSeverity('P7')).toBeUndefined();
    expect(isJiraKey('TEAMA-30')).toBe(true);
    expect(isJiraKey('INC-123-1')).toBe(false);
    expect(isJiraKey('ops-1')).toBe(false);
    expect(incidentKeyOf('OPS-42 (PagerDuty #456)')).toBe('OPS-42');
    expect(incidentKeyOf('PD-48213 (PagerDuty)')).toBe('PD-48213');
    expect(incidentKeyOf('INC 2026 1103, PagerDuty #9')).toBe('INC-2026-1103');
  });

  it('splits names on commas but keeps prose sentences whole', () => {
    expect(splitList('checkout, payments; search', 'names')).toEqual(['checkout', 'payments', 'search']);
    expect(splitList('"Lack of load testing", "Threshold, too high"', 'prose')).toEqual([
      'Lack of load testing',
      'Threshold, too high',
    ]);
    expect(splitList('Detection was slow, and nobody owned it', 'prose')).toEqual([
      'Detection was slow, and nobody owned it',
    ]);
    expect(splitList('1. Why did it fail? The pool. 2. Why? Retries. 3. Why? No test.', 'prose')).toEqual([
      'Why did it fail? The pool.',
      'Why? Retries.',
      'Why? No test.',
    ]);
    expect(splitList('We scaled to 2. Then 3. workers', 'prose')).toEqual(['We scaled to 2. Then 3. workers']);
  });
});

describe('parsePostmortem', () => {
  it('reads every section of the template filled in', () => {
    const { postmortem, warnings } = parse(fixture('template-filled.md'));
    expect(warnings).toEqual([]);
    expect(postmortem.incidentKey).toBe('OPS-101');
    expect(postmortem.title).toBe('Checkout API outage from database connection pool exhaustion');
    expect(postmortem.summary).toEqual({
      incidentId: 'OPS-101',
      startedAt: '2026-11-03T14:05:00.000Z',
      endedAt: '2026-11-03T16:20:00.000Z',
      durationSeconds: 8100,
      services: ['checkout', 'payments', 'api-gateway'],
      severity: 'P1',
      impact: expect.stringContaining('38% of checkout attempts failed'),
      commander: 'Priya Raman',
      responders: ['Priya Raman', 'Tomás Ortega', 'Database on-call (Wen Li)', 'Payments team'],
    });
    expect(postmortem.detection).toEqual({
      method: 'Automated alert from Prometheus (CheckoutHighErrorRate)',
      timeToDetectSeconds: 240,
      effective: expect.stringMatching(/^Yes, the error-rate alert/),
    });
    expect(postmortem.timeline).toHaveLength(8);
    expect(postmortem.timeline[0]).toEqual({
      at: '2026-11-03T14:09:00.000Z',
      event: 'Alert triggered: CheckoutHighErrorRate',
      owner: 'Monitoring',
      source: 'document',
    });
    expect(postmortem.timeToAcknowledgeSeconds).toBe(180);
    expect(postmortem.timeToResolveSeconds).toBe(8100);
    expect(postmortem.rootCause.immediateCause).toMatch(/^A deploy of checkout v2.14/);
    expect(postmortem.rootCause.contributingFactors).toEqual([
      'No load test covered the retry path',
      'The pool-saturation alert threshold was 95%',
      'Latency alert was silenced during a migration',
    ]);
    expect(postmortem.rootCause.fiveWhys).toHaveLength(5);
    expect(postmortem.rootCause.fiveWhys[4]).toBe('Why was it not caught? Load tests do not exercise retries.');
    expect(postmortem.resolution).toEqual({
      how: 'Rolled back checkout to v2.13 and raised the pool size to 120.',
      effective: 'Yes',
    });
    expect(postmortem.lessons.wentWell).toEqual([
      'Team communication was excellent',
      'The database runbook was accurate',
    ]);
    expect(postmortem.lessons.couldBeBetter).toEqual([
      'Detection could have been faster',
      'Nobody owned the silenced latency alert',
    ]);
    expect(postmortem.actionItems).toEqual([
      {
        ref: 'OPS-101-1',
        jiraKey: null,
        description: 'Add a load test for the checkout retry path to the CI pipeline',
        owner: '@Priya Raman',
        dueDate: '2026-11-20',
        status: 'Open',
      },
      {
        ref: 'OPS-101-2',
        jiraKey: null,
        description: 'Lower the pool-saturation alert threshold to 80%',
        owner: '@sre-team',
        dueDate: '2026-11-13',
        status: 'Open',
      },
      {
        ref: 'OPS-101-3',
        jiraKey: null,
        description: 'Write a runbook for connection pool exhaustion',
        owner: 'Wen Li',
        dueDate: '2026-12-01',
        status: 'Open',
      },
    ]);
    // The placeholder link is dropped; real links keep their text.
    expect(postmortem.links).toEqual([
      { label: 'Grafana: checkout error rate', url: 'https://grafana.example.com/d/checkout?from=1762178700000' },
      { label: 'Logs in Kibana', url: 'https://kibana.example.com/app/discover#/view/inc-1103' },
      { label: 'Jira incident OPS-101', url: 'https://example.atlassian.net/browse/OPS-101' },
    ]);
    expect(postmortem.importedAt).toBe(now.toISOString());
  });

  it('reads a document that drifted: reworded headings, plain labels, reordered and extra columns, placeholders, empty rows', () => {
    const { postmortem } = parse(fixture('drifted.md'));
    expect(postmortem.incidentKey).toBe('OPS-102');
    expect(postmortem.summary.startedAt).toBe('2026-11-03T22:40:00.000Z');
    expect(postmortem.summary.endedAt).toBe('2026-11-04T01:15:00.000Z');
    expect(postmortem.summary.durationSeconds).toBe(2 * 3600 + 35 * 60);
    expect(postmortem.summary.services).toEqual(['search', 'api-gateway']);
    expect(postmortem.summary.severity).toBe('P2');
    expect(postmortem.summary.commander).toBeNull();
    expect(postmortem.detection.timeToDetectSeconds).toBe(135 * 60);
    expect(postmortem.timeToAcknowledgeSeconds).toBe(900);
    expect(postmortem.timeToResolveSeconds).toBe(9300);
    // Times without a date take the start date and roll over midnight; the empty row is skipped.
    expect(postmortem.timeline.map((e) => e.at)).toEqual([
      '2026-11-03T22:40:00.000Z',
      '2026-11-03T23:55:00.000Z',
      '2026-11-04T00:10:00.000Z',
      '2026-11-04T01:15:00.000Z',
    ]);
    expect(postmortem.timeline[0]!.owner).toBe('Support');
    expect(postmortem.rootCause.immediateCause).toMatch(/^The index rebuild job swapped aliases/);
    expect(postmortem.rootCause.contributingFactors).toHaveLength(2);
    expect(postmortem.rootCause.fiveWhys).toHaveLength(3);
    expect(postmortem.resolution.how).toBe("Pointed the alias back to yesterday's index.");
    expect(postmortem.lessons.couldBeBetter).toEqual([
      'Detection relied on customers; 135 minutes passed before we knew.',
    ]);
    expect(postmortem.actionItems).toEqual([
      {
        ref: null,
        jiraKey: null,
        description: 'Refuse the alias swap when the new index has fewer than 90% of the old documents',
        owner: 'Aiko Tanaka',
        dueDate: '2026-11-20',
        status: 'Open',
      },
      {
        ref: null,
        jiraKey: 'REL-7',
        description: 'Alert on the empty-result rate above 2%',
        owner: 'Marcus Bell',
        dueDate: '2026-11-18',
        status: 'In Progress',
      },
      {
        ref: null,
        jiraKey: null,
        description: 'Make the exporter exit non-zero on an empty export',
        owner: '@search-team',
        dueDate: null,
        status: 'Open',
      },
    ]);
    expect(postmortem.links.map((l) => l.url)).toEqual([
      'https://grafana.example.com/d/search-empty',
      'https://logs.example.com/search-rebuild/2026-11-03',
    ]);
  });

  it('reads a document-only incident with nested lists, an en-dash range and h:mm:ss', () => {
    const { postmortem } = parse(fixture('document-only.md'));
    expect(postmortem.incidentKey).toBe('PD-48213');
    expect(postmortem.summary.incidentId).toBe('PD-48213 (PagerDuty)');
    expect(postmortem.summary.endedAt).toBe('2026-11-10T09:30:00.000Z');
    expect(postmortem.summary.responders).toEqual(['Dana Kim', 'Messaging team']);
    expect(postmortem.summary.severity).toBe('P2');
    expect(postmortem.detection.effective).toBeNull();
    expect(postmortem.timeToResolveSeconds).toBe(5400);
    expect(postmortem.rootCause.contributingFactors).toEqual([]);
    expect(postmortem.rootCause.fiveWhys).toEqual([]);
    expect(postmortem.timeline[1]!.at).toBe('2026-11-10T08:31:00.000Z');
    expect(postmortem.actionItems[1]).toEqual({
      ref: 'PD-48213-2',
      jiraKey: null,
      description: 'Guard autoscaling rules against a minimum of zero workers',
      owner: null,
      dueDate: null,
      status: 'Open',
    });
    expect(postmortem.links).toEqual([
      { label: 'https://status.example.com/incidents/48213', url: 'https://status.example.com/incidents/48213' },
    ]);
  });

  it('reads bold labels on consecutive lines, h3 sections, a numbered timeline, 12-hour times and reordered columns', () => {
    const { postmortem, warnings } = parse(fixture('drifted-bold.md'));
    expect(warnings).toEqual([]);
    expect(postmortem.title).toBe('Payments webhook retries double-charged customers');
    expect(postmortem.summary).toMatchObject({
      incidentId: 'OPS-103',
      startedAt: '2026-11-12T09:15:00.000Z',
      endedAt: '2026-11-12T10:02:00.000Z',
      durationSeconds: 47 * 60,
      severity: 'P0',
      commander: 'Fatima Haddad',
      responders: ['Fatima Haddad', 'Lukas Becker', 'Payments on-call'],
    });
    expect(postmortem.detection).toEqual({
      method: 'Support ticket from a customer',
      timeToDetectSeconds: 3900,
      effective: 'No',
    });
    expect(postmortem.timeline.map((e) => [e.at, e.owner])).toEqual([
      ['2026-11-12T09:15:00.000Z', 'Payments'],
      ['2026-11-12T10:20:00.000Z', 'Support'],
      ['2026-11-12T10:24:00.000Z', 'Fatima Haddad'],
    ]);
    expect([postmortem.timeToAcknowledgeSeconds, postmortem.timeToResolveSeconds]).toEqual([240, 2820]);
    expect(postmortem.rootCause.contributingFactors).toEqual([
      'Provider changed its retry policy without notice.',
      'No alert on duplicate charge rate.',
    ]);
    expect(postmortem.resolution).toEqual({
      how: 'Deployed a dedupe on event id and refunded duplicates.',
      effective: 'Yes',
    });
    expect(postmortem.actionItems).toEqual([
      {
        ref: 'PAY-1',
        jiraKey: null,
        description: 'Make the webhook handler idempotent on event id',
        owner: 'Lukas Becker',
        dueDate: '2026-11-19',
        status: 'Done',
      },
      {
        ref: 'PAY-2',
        jiraKey: null,
        description: 'Alert on duplicate charge rate above 0.1%',
        owner: 'Fatima Haddad',
        dueDate: '2026-12-01',
        status: 'Open',
      },
    ]);
  });

  it('names the right line inside a multi-line paragraph', () => {
    const problems = problemsOf('**Incident ID**: OPS-1\n**Severity**: P1\n**Duration**: forever\n');
    expect(problems).toEqual([{ line: 3, row: null, message: expect.stringContaining('"forever" is not a duration') }]);
  });

  it('tells an action-item table from a timeline by its section, else by its due-date and status columns', () => {
    const md = [
      '* Incident ID: OPS-9',
      '',
      '## Notes',
      '',
      '| Description | Owner | Due date | Status |',
      '|---|---|---|---|',
      '| Add an alert | Ann | 2026-12-01 | Open |',
      '',
      '## Timeline',
      '',
      '| Time | Action | Owner |',
      '|---|---|---|',
      '| 2026-11-03 14:05 | Paged the on-call | Bob |',
    ].join('\n');
    const { postmortem } = parse(md);
    expect(postmortem.actionItems).toEqual([
      { ref: null, jiraKey: null, description: 'Add an alert', owner: 'Ann', dueDate: '2026-12-01', status: 'Open' },
    ]);
    expect(postmortem.timeline).toEqual([
      { at: '2026-11-03T14:05:00.000Z', event: 'Paged the on-call', owner: 'Bob', source: 'document' },
    ]);
  });

  it('recognises a Jira key in the ID column, also as a browse link', () => {
    const md = `# PM\n\n* Incident ID: OPS-9\n\n## Action items\n\n| ID | Description | Owner |\n|---|---|---|\n| TEAMA-30 | Existing one | Ann |\n| [REL-4](https://x.atlassian.net/browse/REL-4) | Linked one | Bob |\n| OPS-9-3 | Doc ref | Cy |\n`;
    const { postmortem } = parse(md);
    expect(postmortem.actionItems.map((r) => r.ref)).toEqual(['TEAMA-30', 'REL-4', 'OPS-9-3']);
  });

  it('refuses bad input naming each line and table row', () => {
    const problems = problemsOf(fixture('bad-rows.md'));
    expect(problems).toEqual([
      { line: 6, row: null, message: expect.stringContaining('Severity "P7" is not one of P0-P4') },
      {
        line: 12,
        row: 'timeline row 1',
        message: expect.stringContaining('"yesterday afternoon" is not a date and time'),
      },
      { line: 18, row: 'action items row 1', message: expect.stringContaining('"next week" is not a date') },
      { line: 19, row: 'action items row 2', message: expect.stringContaining('description is empty') },
    ]);
  });

  it('refuses a document whose Incident ID is still the placeholder, or missing', () => {
    expect(problemsOf(readFileSync(new URL('../../docs/postmortem-template.md', import.meta.url), 'utf8'))).toEqual([
      { line: 5, row: null, message: expect.stringContaining('Incident ID is empty') },
    ]);
    expect(problemsOf('# Post-mortem: x\n\n## Summary\n\n* Severity: P1\n')[0]!.message).toMatch(
      /No "Incident ID" line/,
    );
    expect(problemsOf(fixture('missing-incident-id.md'))).toEqual([
      { line: 5, row: null, message: expect.stringContaining('Incident ID is empty') },
    ]);
  });

  it('refuses an end before the start and an unreadable duration', () => {
    const problems = problemsOf(
      '* Incident ID: OPS-1\n* Date & Time (UTC): 2026-11-03 14:05 - 2026-11-03 12:00\n* Duration: a while\n',
    );
    expect(problems.map((p) => [p.line, p.message.slice(0, 60)])).toEqual([
      [3, expect.stringContaining('The duration "a while" is not a duration')],
      [2, expect.stringContaining('The end (2026-11-03T12:00:00.000Z) is')],
    ]);
  });

  it('refuses a time of day without any date to put it on', () => {
    const problems = problemsOf('* Incident ID: OPS-1\n\n| Time | Event |\n|---|---|\n| 14:05 | Alert |\n');
    expect(problems[0]).toEqual({ line: 5, row: 'timeline row 1', message: expect.stringContaining('has no date') });
  });

  it('warns about labels and tables it does not know, and keeps going', () => {
    const { warnings } = parse('* Incident ID: OPS-1\n* Favourite colour: blue\n\n| A | B |\n|---|---|\n| 1 | 2 |\n');
    expect(warnings).toEqual([
      'line 2: the label "Favourite colour" is not a template field; ignored',
      'line 4: a table whose columns are neither a timeline nor action items; ignored',
    ]);
  });
});
