import { describe, expect, it } from '@jest/globals';
import { InputError } from '../../../server/errors.js';
import { parseActionItemListQuery, parseIncidentListQuery, parseMetricsQuery } from '../../../server/http/query.js';
import { resolveRange } from '../../../server/metrics/index.js';

function refusal(f: () => unknown): InputError {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('query parameters', () => {
  it('parses a full metrics query', () => {
    expect(
      parseMetricsQuery({
        from: '2026-11-01T00:00:00Z',
        to: '2026-11-02T00:00:00.000+01:00',
        service: 'api',
        severity: 'unknown',
      }),
    ).toEqual({
      from: new Date('2026-11-01T00:00:00.000Z'),
      to: new Date('2026-11-01T23:00:00.000Z'),
      service: 'api',
      severity: 'unknown',
    });
    expect(parseMetricsQuery({})).toEqual({});
  });

  it.each([
    [{ from: 'yesterday' }, 'from', /ISO-8601 instant/],
    [{ to: '2026-11-01' }, 'to', /ISO-8601 instant/],
    [{ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'from', /before "to"/],
    [{ from: '2026-11-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }, 'from', /before "to"/],
    [{ from: '2023-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' }, 'to', /1100 days/],
    [{ severity: 'P5' }, 'severity', /P0, P1, P2, P3, P4, unknown/],
    [{ severity: 'p1' }, 'severity', /P0, P1/],
    [{ service: '' }, 'service', /must not be empty/],
    [{ service: ['a', 'b'] }, 'service', /once/],
    [{ sevrity: 'P1' }, 'sevrity', /Unknown query parameter "sevrity".*from, to, service, severity/],
  ])('refuses %j naming %s', (raw, parameter, message) => {
    const error = refusal(() => parseMetricsQuery(raw));
    expect(error.parameter).toBe(parameter);
    expect(error.message).toMatch(message);
  });

  it('accepts a span of exactly 1,100 days', () => {
    expect(() => parseMetricsQuery({ from: '2023-01-01T00:00:00Z', to: '2026-01-05T00:00:00Z' })).not.toThrow();
  });

  it('list queries accept limit and cursor; the action-item list its own filters', () => {
    expect(parseIncidentListQuery({ limit: '50', cursor: 'abc_-1' })).toEqual({ limit: 50, cursor: 'abc_-1' });
    expect(refusal(() => parseIncidentListQuery({ limit: '0' })).parameter).toBe('limit');
    expect(refusal(() => parseIncidentListQuery({ limit: '2.5' })).parameter).toBe('limit');
    expect(refusal(() => parseIncidentListQuery({ cursor: 'a b' })).parameter).toBe('cursor');
    expect(refusal(() => parseIncidentListQuery({ overdue: 'true' })).parameter).toBe('overdue');
    expect(parseActionItemListQuery({ overdue: 'true', owner: 'Ada', service: 'api', incident: 'OPS-1' })).toEqual({
      overdue: true,
      owner: 'Ada',
      service: 'api',
      incident: 'OPS-1',
    });
    expect(parseActionItemListQuery({ overdue: 'false' })).toEqual({ overdue: false });
    expect(refusal(() => parseActionItemListQuery({ overdue: 'yes' })).message).toMatch(/true or false/);
    expect(refusal(() => parseActionItemListQuery({ from: '2026-11-01T00:00:00Z' })).parameter).toBe('from');
  });

  it('fills the default 90-day window and checks it', () => {
    const now = new Date('2026-11-20T00:00:00.000Z');
    expect(resolveRange({}, now)).toEqual({ from: new Date('2026-08-22T00:00:00.000Z'), to: now });
    expect(resolveRange({ to: new Date('2026-01-01T00:00:00.000Z') }, now).from).toEqual(
      new Date('2025-10-03T00:00:00.000Z'),
    );
    expect(refusal(() => resolveRange({ from: new Date('2026-12-01T00:00:00.000Z') }, now)).parameter).toBe('from');
  });
});
