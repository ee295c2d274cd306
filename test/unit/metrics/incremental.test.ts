/**
 * The metrics service patches its state with the records a change wrote instead of
 * reloading the store. Property: after any sequence of random changes (moved places in
 * time, new severities and services, resolved or reopened incidents, items moved between
 * incidents, new and deleted records), every answer equals that of a full reload.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync } from 'node:fs';
import type { ActionItem, Incident, Severity } from '../../../server/domain/types.js';
import { SEVERITIES } from '../../../server/domain/types.js';
import { MetricsService } from '../../../server/metrics/index.js';
import type { MetricsQuery } from '../../../server/metrics/index.js';
import { zoneCalendar } from '../../../server/metrics/calendar.js';
import { computeMetricsPrepared } from '../../../server/metrics/compute.js';
import { MetricsState } from '../../../server/metrics/state.js';
import { EmbeddedStore } from '../../../server/store/embedded/EmbeddedStore.js';
import { normalizeIncident } from '../../../server/store/shared.js';
import { generateData } from '../../perf/generateData.js';
import { tempDir } from '../../support/stores.js';
import { SLA } from './fixtures.js';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const DAY = 86_400_000;
const SERVICES = ['api', 'web', 'payments', 'search', 'auth', 'db', 'queue', 'mobile', 'new-service'];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Random edits of some records, plus new ones. */
function changeSome(
  rnd: () => number,
  incidents: Incident[],
  items: ActionItem[],
  round: number,
): { incidents: Incident[]; items: ActionItem[] } {
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)] as T;
  const iso = (ms: number) => new Date(ms).toISOString();
  const changedIncidents: Incident[] = [];
  for (let n = Math.floor(rnd() * 6); n >= 0; n -= 1) {
    const base = pick(incidents);
    const edit = Math.floor(rnd() * 5);
    const started = NOW.getTime() - rnd() * 400 * DAY;
    const next: Incident =
      edit === 0
        ? { ...base, startedAt: iso(started), detectedAt: iso(started + 60_000) }
        : edit === 1
          ? { ...base, severity: rnd() < 0.2 ? null : (pick([...SEVERITIES]) as Severity) }
          : edit === 2
            ? { ...base, services: [pick(SERVICES), pick(SERVICES)] }
            : edit === 3
              ? {
                  ...base,
                  resolvedAt: base.resolvedAt === null ? iso(NOW.getTime() - rnd() * 30 * DAY) : null,
                  statusCategory: base.resolvedAt === null ? 'done' : 'indeterminate',
                }
              : { ...base, startedAt: null, createdAt: iso(started) };
    changedIncidents.push(normalizeIncident(next));
  }
  if (rnd() < 0.5) {
    const started = NOW.getTime() - rnd() * 200 * DAY;
    changedIncidents.push(
      normalizeIncident({
        ...pick(incidents),
        key: `NEW-${round}`,
        startedAt: iso(started),
        resolvedAt: iso(started + 3_600_000),
      }),
    );
  }
  const changedItems: ActionItem[] = [];
  for (let n = Math.floor(rnd() * 8); n >= 0; n -= 1) {
    const base = pick(items);
    const edit = Math.floor(rnd() * 4);
    changedItems.push(
      edit === 0
        ? { ...base, incidentKey: rnd() < 0.1 ? null : pick(incidents).key }
        : edit === 1
          ? { ...base, statusCategory: 'done', status: 'Done', resolvedAt: iso(NOW.getTime() - rnd() * 20 * DAY) }
          : edit === 2
            ? { ...base, jiraDueDate: rnd() < 0.5 ? null : iso(NOW.getTime() - rnd() * 40 * DAY).slice(0, 10) }
            : { ...base, owner: rnd() < 0.5 ? null : `owner-${Math.floor(rnd() * 5)}` },
    );
  }
  if (rnd() < 0.5)
    changedItems.push({ ...pick(items), key: `NEWACT-${round}`, incidentKey: changedIncidents[0]?.key ?? null });
  return { incidents: changedIncidents, items: changedItems };
}

const QUERIES: MetricsQuery[] = [
  { from: new Date(NOW.getTime() - 90 * DAY), to: NOW },
  { from: new Date(NOW.getTime() - 400 * DAY), to: NOW, service: 'api' },
  { from: new Date(NOW.getTime() - 200 * DAY), to: new Date(NOW.getTime() - 20 * DAY), severity: 'P2' },
  { from: new Date(NOW.getTime() - 700 * DAY), to: NOW, severity: 'unknown' },
  { from: new Date(NOW.getTime() - 30 * DAY), to: NOW, service: 'new-service' },
];

describe('incremental metrics state', () => {
  let dir: string;
  let store: EmbeddedStore;
  const options = { timezone: 'Europe/Berlin', slaDays: SLA, now: () => NOW };

  beforeAll(async () => {
    dir = tempDir('pmi-incremental-');
    store = await EmbeddedStore.create(dir);
    const { incidents, actionItems } = generateData(300, 1500, NOW);
    await store.upsertIncidents(incidents);
    await store.upsertActionItems(actionItems);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after each of many random changes, a patched service answers exactly as one that reloads everything', async () => {
    const rnd = random(7);
    const patched = new MetricsService(store, options);
    for (const query of QUERIES) await patched.metrics(query);
    await patched.actionItems({ overdue: true });
    for (let round = 0; round < 20; round += 1) {
      const incidents = await store.findIncidents({});
      const items = await store.findActionItems({});
      const change = changeSome(rnd, incidents, items, round);
      if (round % 2 === 0) {
        await store.upsertIncidents(change.incidents);
        await store.upsertActionItems(change.items);
      } else {
        await store.upsertActionItems(change.items);
        await store.upsertIncidents(change.incidents);
      }
      const reloaded = new MetricsService(store, options);
      for (const query of QUERIES) {
        expect(await patched.metrics(query)).toEqual(await reloaded.metrics(query));
        expect(await patched.incidents(query)).toEqual(await reloaded.incidents(query));
      }
      expect(await patched.actionItems({ overdue: true })).toEqual(await reloaded.actionItems({ overdue: true }));
      expect(await patched.actionItems({ service: 'api' })).toEqual(await reloaded.actionItems({ service: 'api' }));
    }
    // It really patched: one full load at the start, then a patch per change.
    expect(patched.stats.loads).toBe(1);
    expect(patched.stats.patches).toBeGreaterThanOrEqual(20);
  });

  it('a record gone from the store (deleted) leaves the patched state, as in a reload', () => {
    const rnd = random(11);
    const { incidents, actionItems } = generateData(200, 1000, NOW);
    let currentIncidents = new Map(incidents.map((i) => [i.key, i]));
    let currentItems = new Map(actionItems.map((i) => [i.key, i]));
    const stateOptions = { timezone: 'UTC', slaDays: SLA, calendar: zoneCalendar('UTC') };
    const state = new MetricsState([...currentIncidents.values()], [...currentItems.values()], stateOptions, NOW);
    const answer = (s: MetricsState, q: MetricsQuery) =>
      computeMetricsPrepared((f, t) => s.select(f, t, q.service, q.severity), s.everything, {
        from: q.from as Date,
        to: q.to as Date,
        now: NOW,
        ...stateOptions,
        ...(q.service ? { service: q.service } : {}),
        ...(q.severity ? { severity: q.severity } : {}),
      });
    for (const query of QUERIES) answer(state, query);
    state.actionItemViews();
    for (let round = 0; round < 15; round += 1) {
      const change = changeSome(rnd, [...currentIncidents.values()], [...currentItems.values()], round);
      const goneIncidentKeys = [...currentIncidents.keys()].filter(() => rnd() < 0.01);
      const goneActionItemKeys = [...currentItems.keys()].filter(() => rnd() < 0.01);
      currentIncidents = new Map([...currentIncidents, ...change.incidents.map((i) => [i.key, i] as const)]);
      currentItems = new Map([...currentItems, ...change.items.map((i) => [i.key, i] as const)]);
      for (const key of goneIncidentKeys) currentIncidents.delete(key);
      for (const key of goneActionItemKeys) currentItems.delete(key);
      state.apply({
        incidents: change.incidents.filter((i) => currentIncidents.has(i.key)),
        goneIncidentKeys,
        actionItems: change.items.filter((i) => currentItems.has(i.key)),
        goneActionItemKeys,
      });
      const fresh = new MetricsState([...currentIncidents.values()], [...currentItems.values()], stateOptions, NOW);
      for (const query of QUERIES) {
        expect(answer(state, query)).toEqual(answer(fresh, query));
        const [from, to] = [(query.from as Date).getTime(), (query.to as Date).getTime()];
        expect(state.incidentsIn(from, to, query.service, query.severity)).toEqual(
          fresh.incidentsIn(from, to, query.service, query.severity),
        );
      }
      expect(state.actionItemViews()).toEqual(fresh.actionItemViews());
      expect(state.incidentCount).toBe(currentIncidents.size);
      expect(state.actionItemCount).toBe(currentItems.size);
    }
  });
});
