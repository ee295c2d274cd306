import { describe, it, expect } from '@jest/globals';
import { buildSyncJql, jqlZone, withoutOrderBy } from '../../server/sync/jql.js';

describe('sync JQL', () => {
  const at = Date.parse('2026-11-27T03:25:59.999Z');

  it("adds the updated clause in the Jira user's zone, floored to the minute, and a stable order", () => {
    expect(buildSyncJql('issuetype = Incident', at, 'Asia/Kolkata')).toBe(
      '(issuetype = Incident) AND updated >= "2026-11-27 08:55" ORDER BY updated ASC, key ASC',
    );
    expect(buildSyncJql('issuetype = Incident', at, 'America/Denver')).toBe(
      '(issuetype = Incident) AND updated >= "2026-11-26 20:25" ORDER BY updated ASC, key ASC',
    );
    expect(buildSyncJql('labels = postmortem-action', null, 'UTC')).toBe(
      '(labels = postmortem-action) ORDER BY updated ASC, key ASC',
    );
  });

  it("replaces the user's own ORDER BY, but not text inside quotes", () => {
    expect(withoutOrderBy('project = OPS ORDER BY created DESC')).toBe('project = OPS');
    expect(withoutOrderBy('summary ~ "order by" AND project = OPS')).toBe('summary ~ "order by" AND project = OPS');
    expect(withoutOrderBy('order by key')).toBe('');
    expect(buildSyncJql('order by key', null, 'UTC')).toBe('ORDER BY updated ASC, key ASC');
  });

  it('falls back to UTC, marked unknown, for a missing or invalid zone', () => {
    expect(jqlZone('Europe/Berlin')).toEqual({ zone: 'Europe/Berlin', known: true });
    expect(jqlZone(null)).toEqual({ zone: 'UTC', known: false });
    expect(jqlZone('Mars/Olympus')).toEqual({ zone: 'UTC', known: false });
  });
});
