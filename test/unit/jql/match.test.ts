/** Judging an issue against the configured JQLs by its own fields (server/jira/jql/match.ts). */
import { describe, expect, it } from '@jest/globals';
import { compileJqlMatcher } from '../../../server/jira/jql/match.js';

const issue = (fields: Record<string, unknown>) => ({ id: '10042', key: 'OPS-7', fields });
const incident = issue({
  project: { id: '10010', key: 'OPS', name: 'Operations' },
  issuetype: { id: '10001', name: 'Incident' },
  status: { id: '3', name: 'Done', statusCategory: { id: 3, key: 'done', name: 'Done' } },
  labels: ['postmortem-action', 'sev1'],
  resolution: null,
  customfield_10042: { id: '1', value: 'SEV-1' },
});

describe('compileJqlMatcher', () => {
  it.each([
    ['issuetype = Incident', true],
    ['project = OPS AND issuetype = Incident', true],
    ['project = ops AND type = "incident"', true],
    ['project = REL AND issuetype = Incident', false],
    ['labels = postmortem-action', true],
    ['labels in (a, b)', false],
    ['labels not in (a, b)', true],
    ['statusCategory = Done', true],
    ['statusCategory != Done', false],
    ['resolution is EMPTY', true],
    ['resolution is not EMPTY', false],
    ['resolution != Fixed', false],
    ['cf[10042] = SEV-1', true],
    ['customfield_10042 = "SEV-2"', false],
    ['key = OPS-7 OR id = 1', true],
    ['NOT (project = OPS)', false],
    ['(project = REL OR labels = sev1) AND issuetype = Incident ORDER BY created DESC', true],
  ])('%s -> %s', (jql, expected) => {
    const matcher = compileJqlMatcher(jql);
    expect(matcher).not.toBeNull();
    expect(matcher!.match(incident)).toBe(expected);
  });

  it('names the REST fields it reads', () => {
    expect(compileJqlMatcher('project = OPS AND cf[10042] = SEV-1 AND statusCategory = Done')!.fields.sort()).toEqual([
      'customfield_10042',
      'project',
      'status',
    ]);
  });

  it.each([
    'assignee = currentUser()',
    'created >= -7d',
    'summary ~ outage',
    '"Severity" = SEV-1',
    'project = OPS AND',
  ])('leaves %s to Jira', (jql) => {
    expect(compileJqlMatcher(jql)).toBeNull();
  });
});
