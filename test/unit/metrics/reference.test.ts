/**
 * computeMetrics against the plain reference implementation (test/helpers), over a
 * generated data set with missing and reversed points, in a DST zone; including the
 * recurrence and change blocks (docs/insights.md).
 */
import { describe, expect, it } from '@jest/globals';
import { computeMetrics } from '../../../server/metrics/index.js';
import { expectSameNumbers } from '../../helpers/compareNumbers.js';
import { referenceMetrics } from '../../helpers/referenceMetrics.js';
import { generateData } from '../../perf/generateData.js';
import { SLA } from './fixtures.js';

describe('computeMetrics agrees with an independent computation', () => {
  const now = new Date('2026-11-27T12:00:00.000Z');
  const { incidents, actionItems } = generateData(1500, 6000, now);
  const cases: Array<{ name: string; days: number; zone: string; service?: string; severity?: 'P1' | 'unknown' }> = [
    { name: '90 days, UTC', days: 90, zone: 'UTC' },
    { name: '365 days, Europe/Berlin', days: 365, zone: 'Europe/Berlin' },
    { name: '200 days, America/New_York, service api', days: 200, zone: 'America/New_York', service: 'api' },
    { name: '120 days, Australia/Adelaide, severity P1', days: 120, zone: 'Australia/Adelaide', severity: 'P1' },
    { name: '500 days, Asia/Kolkata, severity unknown', days: 500, zone: 'Asia/Kolkata', severity: 'unknown' },
  ];
  it.each(cases)('$name', ({ days, zone, service, severity }) => {
    const from = new Date(now.getTime() - days * 86_400_000);
    const actual = computeMetrics(incidents, actionItems, {
      from,
      to: now,
      now,
      timezone: zone,
      slaDays: SLA,
      ...(service ? { service } : {}),
      ...(severity ? { severity } : {}),
    });
    const expected = referenceMetrics(incidents, actionItems, {
      from: from.getTime(),
      to: now.getTime(),
      now: now.getTime(),
      zone,
      sla: SLA,
      ...(service ? { service } : {}),
      ...(severity ? { severity } : {}),
    });
    const { dataQuality, ...numbers } = expected;
    // The generated data has late fixes hit by later incidents, so the recurrence is compared on real lists.
    expect(expected.recurrence.itemsTotal).toBeGreaterThan(0);
    const { dataQuality: actualQuality, formulas: _formulas, ...actualNumbers } = actual;
    expectSameNumbers(actualNumbers, numbers);
    expect({
      incidents: actualQuality?.incidents.map((i) => i.key).sort(),
      actionItems: actualQuality?.actionItems.map((i) => i.key).sort(),
    }).toEqual({ incidents: [...dataQuality.incidents].sort(), actionItems: [...dataQuality.actionItems].sort() });
  });
});
