/** The stores' fast document check gives mongoose's answers: same documents refused, same field named. */
import { describe, expect, it } from '@jest/globals';
import { checkBatch, mongooseRefusalOf, refusalOf } from '../../server/store/validation.js';
import { canonical, canonicalDocument, normalizeIncident } from '../../server/store/shared.js';
import { makeActionItem, makeIncident } from '../support/factories.js';

const incident = normalizeIncident(
  makeIncident({
    key: 'OPS-1',
    startedAt: '2026-10-01T10:00:00.000Z',
    timeline: [{ at: null, event: 'x', owner: null, source: 'jira' }],
  }),
);
const item = makeActionItem({ key: 'REL-1', jiraDueDate: '2026-11-01' });

const badIncidents: Array<[string, Record<string, unknown>]> = [
  ['severity', { severity: 'SEV1' }],
  ['statusCategory', { statusCategory: 'closed' }],
  ['detection', { detection: 'psychic' }],
  ['source', { source: 'email' }],
  ['startedAt', { startedAt: '2026-10-01 10:00' }],
  ['createdAt', { createdAt: null }],
  ['key', { key: '' }],
  ['unexpected', { unexpected: 1 }],
];
/** mongoose would cast these (so MongoDB would store something else than was given); both stores refuse them. */
const castByMongoose: Array<['incident' | 'action item', string, Record<string, unknown>]> = [
  ['incident', 'services', { services: 'api' }],
  ['incident', 'services', { services: [{ name: 'api' }] }],
  ['incident', 'timeline', { timeline: 'none' }],
  ['action item', 'labels', { labels: [1] }],
];
const badItems: Array<[string, Record<string, unknown>]> = [
  ['jiraDueDate', { jiraDueDate: '01/11/2026' }],
  ['statusCategory', { statusCategory: 'open' }],
  ['updatedAt', { updatedAt: '2026-10-01T10:00:00Z' }],
  ['key', { key: undefined }],
  ['colour', { colour: 'red' }],
];

describe('document check', () => {
  it('accepts what the stores write, as mongoose does', async () => {
    expect(refusalOf('incident', incident)).toBeNull();
    expect(await mongooseRefusalOf('incident', incident)).toBeNull();
    expect(refusalOf('action item', item)).toBeNull();
    expect(await mongooseRefusalOf('action item', item)).toBeNull();
    const sparse = { ...incident, status: '', severity: null, commander: null };
    expect(refusalOf('incident', sparse)).toBeNull();
    expect(await mongooseRefusalOf('incident', sparse)).toBeNull();
  });

  it.each(badIncidents)('refuses an incident with a bad %s, as mongoose does', async (field, change) => {
    const doc = { ...incident, ...change } as typeof incident;
    expect(refusalOf('incident', doc)).toMatchObject({ key: doc.key === '' ? '' : 'OPS-1', field });
    expect(await mongooseRefusalOf('incident', doc)).toEqual({ field });
  });

  it.each(badItems)('refuses an action item with a bad %s, as mongoose does', async (field, change) => {
    const doc = { ...item, ...change } as typeof item;
    expect(refusalOf('action item', doc)).toMatchObject({ field });
    expect(await mongooseRefusalOf('action item', doc)).toEqual({ field });
  });

  it.each(castByMongoose)('refuses a %s whose %s mongoose would cast into something else', (kind, field, change) => {
    const doc = { ...(kind === 'incident' ? incident : item), ...change } as typeof incident;
    expect(refusalOf(kind, doc)).toMatchObject({ field });
  });

  it('splits a batch into what can be stored and what is refused', () => {
    const { valid, refused } = checkBatch('incident', [
      incident,
      { ...incident, key: 'OPS-2', severity: 'SEV1' } as unknown as typeof incident,
    ]);
    expect(valid).toEqual([incident]);
    expect(refused).toEqual([{ key: 'OPS-2', field: 'severity', reason: expect.stringContaining('SEV1') }]);
  });
});

describe('canonical form', () => {
  it('sorts nested keys, drops undefined, and leaves a document already in order as it is', () => {
    const inOrder = { b: 1, a: [{ at: null, event: 'x' }], c: { x: 1, y: { p: 1, q: 2 } } };
    expect(canonicalDocument(inOrder)).toBe(inOrder);
    const shuffled = { b: 1, a: [{ event: 'x', at: null }], c: { y: { q: 2, p: 1 }, x: 1, z: undefined } };
    const out = canonicalDocument(shuffled);
    expect(JSON.stringify(out)).toBe('{"b":1,"a":[{"at":null,"event":"x"}],"c":{"x":1,"y":{"p":1,"q":2}}}');
    expect(canonical(new Date(0))).toEqual(new Date(0));
  });
});
