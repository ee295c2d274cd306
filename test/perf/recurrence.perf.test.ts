/**
 * The late-fix look-up (docs/insights.md) is not quadratic in the incidents of a service:
 * at five times the product scale (50,000 incidents, 250,000 action items) it takes about
 * five to six times as long as at product scale, where comparing every incident with every
 * item would take about 25 times as long. CPU time, best of three (a shared 2-core machine
 * stretches wall time); the bound is generous.
 */
import { describe, expect, it } from '@jest/globals';
import { groupActionItemsByIncident, incidentsInWindow, zoneCalendar } from '../../server/metrics/index.js';
import { computeRecurrence } from '../../server/metrics/recurrence.js';
import { SLA } from '../unit/metrics/fixtures.js';
import { generateData } from './generateData.js';

const now = new Date('2026-11-27T12:00:00.000Z');

function bestCpuMs(scale: number): { ms: number; items: number; topIncidents: number } {
  const { incidents, actionItems } = generateData(10_000 * scale, 50_000 * scale, now);
  const byKey = new Map(incidents.map((incident) => [incident.key, incident]));
  const grouped = groupActionItemsByIncident(actionItems);
  const kept = incidentsInWindow(incidents, now.getTime() - 1100 * 86_400_000, now.getTime());
  const options = { timezone: 'UTC', slaDays: SLA, calendar: zoneCalendar('UTC') };
  let best = Number.POSITIVE_INFINITY;
  let result = computeRecurrence(kept, byKey, grouped, options);
  for (let run = 0; run < 3; run += 1) {
    const before = process.cpuUsage();
    result = computeRecurrence(kept, byKey, grouped, options);
    const cpu = process.cpuUsage(before);
    best = Math.min(best, (cpu.user + cpu.system) / 1000);
  }
  return { ms: best, items: result.itemsTotal, topIncidents: result.items[0]?.incidents.length ?? 0 };
}

describe('late fixes at five times the product scale', () => {
  it('grows about linearly with the data, far from quadratically', () => {
    const product = bestCpuMs(1);
    const five = bestCpuMs(5);
    process.stdout.write(
      `recurrence over 1,100 days: 10k/50k ${product.ms.toFixed(0)} ms CPU (${product.items} late fixes, top one at ${product.topIncidents} incidents); ` +
        `50k/250k ${five.ms.toFixed(0)} ms CPU (${five.items} late fixes, top one at ${five.topIncidents} incidents); ratio ${(five.ms / product.ms).toFixed(1)}\n`,
    );
    // The top item alone was overdue at thousands of incidents: listing pairs would not scale.
    expect(five.topIncidents).toBeGreaterThan(4 * product.topIncidents);
    expect(five.ms / product.ms).toBeLessThan(15);
    expect(five.ms).toBeLessThan(6000);
  }, 300_000);
});
