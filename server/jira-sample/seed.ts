/**
 * Deterministic seed data: a reliability history relative to `now` (every instant is `now`
 * minus an offset drawn from a seeded PRNG), so the demo always looks current and the same
 * `now` and seed always give the same issues. Includes the awkward cases a real site has:
 * long changelogs, missing and out-of-order timestamps, unmapped values, reopened incidents,
 * items done without a resolution date, links to issues that are not incidents.
 */
import {
  FIELD_IDS,
  LINK_TYPES,
  PRIORITIES,
  PROJECTS,
  RESOLUTIONS,
  SERVICES,
  SEVERITY_VALUES,
  CUSTOM_FIELDS,
  issueTypeByName,
  statusByName,
} from './catalog.js';
import type { LinkTypeDef, StatusDef } from './catalog.js';
import { formatJiraDate } from './format.js';
import { adfParagraph } from './model.js';
import type { ChangeItem, CustomValue, IssueStore, SampleIssue, SampleUser } from './model.js';

export interface SeedSize {
  incidents: number;
  actionItems: number;
  seed?: number;
}

export const DEMO_SEED: SeedSize = { incidents: 180, actionItems: 640, seed: 20261127 };

const MINUTE = 60_000;
/** Shared by the many issues with the same boilerplate description (keeps the big seed's garbage down). */
const ACTION_ITEM_DESCRIPTION = adfParagraph('Action item from the post-incident review.');
const NOISE_DESCRIPTION = adfParagraph('Planned engineering work.');
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How long ago the sample's teams started resolving incidents with runbooks (a real TTR change). */
const RUNBOOK_ROLLOUT_AGO = 100 * DAY;

/**
 * When a seeded link was made: as planned, but never later than an hour before the seed's
 * `now`. A link planned for the future is placed between the later of the two issues'
 * creation and that hour, rather than all at `now` (which would make the newest minutes
 * of the demo history a burst of edits that no real team produces).
 */
export function linkTime(planned: number, createdA: number, createdB: number, nowMs: number): number {
  const earliest = Math.max(createdA, createdB);
  const latest = nowMs - HOUR;
  const wanted = Math.max(planned, earliest);
  if (wanted <= latest) return wanted;
  return earliest >= latest ? Math.min(earliest, nowMs) : earliest + Math.floor((latest - earliest) / 2);
}

/** mulberry32: small, fast, good enough for sample data, identical on every platform. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Dice {
  constructor(readonly next: () => number) {}
  chance(p: number): boolean {
    return this.next() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  weighted<T>(entries: readonly [T, number][]): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return (entries[entries.length - 1] as [T, number])[0];
  }
  /** Log-normal duration around a median, clamped. */
  duration(medianMs: number, spread: number, minMs: number, maxMs: number): number {
    const u1 = Math.max(this.next(), 1e-9);
    const u2 = this.next();
    const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.round(Math.min(maxMs, Math.max(minMs, medianMs * Math.exp(normal * spread))));
  }
}

const FIRST_NAMES = [
  'Priya',
  'Marcus',
  'Ana',
  'Kenji',
  'Fatima',
  'Lukas',
  'Chloe',
  'Diego',
  'Aisha',
  'Tom',
  'Mei',
  'Olu',
  'Sara',
  'Ivan',
  'Noor',
  'Ben',
  'Lena',
  'Raj',
  'Grace',
  'Omar',
  'Hana',
  'Pedro',
  'Zoe',
  'Erik',
];
const LAST_NAMES = [
  'Sharma',
  'Okafor',
  'Silva',
  'Tanaka',
  'Haddad',
  'Becker',
  'Martin',
  'Ramos',
  'Bello',
  'Walsh',
  'Chen',
  'Adeyemi',
  'Lind',
  'Petrov',
  'Khan',
  'Cohen',
  'Vogel',
  'Iyer',
  'Murphy',
  'Farouk',
  'Sato',
  'Costa',
  'Nguyen',
  'Berg',
];
const USER_ZONES = [
  'Europe/Berlin',
  'Asia/Kolkata',
  'America/New_York',
  'Europe/London',
  'America/Los_Angeles',
  'Asia/Tokyo',
];

function hex(dice: Dice, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += '0123456789abcdef'.charAt(dice.int(0, 15));
  return out;
}

/** The API user (`myself`) and 24 people; two have left the company (inactive). */
export function seedUsers(store: IssueStore, apiUser: SampleUser, seed: number): void {
  const dice = new Dice(createRandom(seed ^ 0x5eed));
  store.addUser(apiUser);
  for (let i = 0; i < FIRST_NAMES.length; i++) {
    const first = FIRST_NAMES[i] as string;
    const last = LAST_NAMES[i] as string;
    const accountId =
      i % 3 === 0
        ? `712020:${hex(dice, 8)}-${hex(dice, 4)}-${hex(dice, 4)}-${hex(dice, 4)}-${hex(dice, 12)}`
        : `5b10${hex(dice, 20)}`;
    store.addUser({
      accountId,
      displayName: `${first} ${last}`,
      emailAddress: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
      active: i !== 7 && i !== 19,
      timeZone: USER_ZONES[i % USER_ZONES.length] as string,
    });
  }
}

const INCIDENT_SUMMARIES = [
  'Elevated 5xx rate on {s} after deploy',
  '{s} p99 latency above SLO',
  'Database failover degraded {s}',
  'Expired TLS certificate on {s}',
  'Queue backlog delaying {s}',
  'DNS resolution failures for {s}',
  'Memory leak in {s} workers',
  'Third-party provider outage affecting {s}',
  'Bad config push broke {s}',
  'Partial outage of {s} in eu-west-1',
  'Connection pool exhaustion in {s}',
  'Cache stampede on {s}',
  'Disk full on {s} primary',
  'Rate limiter misconfiguration throttled {s}',
];

const ACTION_SUMMARIES = [
  'Add alert on error budget burn for {s}',
  'Write runbook for {s} failover',
  'Add canary stage to {s} deploy pipeline',
  'Raise connection pool limits in {s}',
  'Automate certificate renewal for {s}',
  'Add load test covering {s} peak traffic',
  'Build dashboard for {s} saturation',
  'Review on-call escalation policy for {s}',
  'Add retries with backoff to {s} client',
  'Remove single point of failure in {s} cache',
  'Add config validation before {s} rollout',
  'Document dependency map for {s}',
  'Tune autoscaling thresholds for {s}',
  'Add synthetic check for {s} login path',
];

const ROOT_CAUSES = [
  'Deployment',
  'Configuration',
  'Capacity',
  'Dependency',
  'Hardware',
  'Software bug',
  'Human error',
];

const SEVERITY_WEIGHTS: [number, number][] = [
  [0, 5],
  [1, 15],
  [2, 38],
  [3, 27],
  [4, 6],
  [5, 4],
  [-1, 5],
];
const DETECTION_WEIGHTS: [number, number][] = [
  [0, 38],
  [1, 14],
  [2, 15],
  [3, 9],
  [4, 10],
  [5, 6],
  [6, 3],
  [-1, 5],
];

interface Event {
  at: number;
  authorId: string;
  items: ChangeItem[];
}

interface Draft {
  issue: Omit<SampleIssue, 'id' | 'key' | 'version' | 'childIds' | 'linkIds' | 'properties'>;
  events: Event[];
  parent?: Draft;
  inserted?: SampleIssue;
  /** Links to add once both ends exist: [type, other, thisIsInward]. */
  links: { type: LinkTypeDef; other: Draft; thisIsInward: boolean; at: number }[];
}

function statusItem(from: StatusDef, to: StatusDef): ChangeItem {
  return {
    field: 'status',
    fieldtype: 'jira',
    fieldId: 'status',
    from: from.id,
    fromString: from.name,
    to: to.id,
    toString: to.name,
  };
}

function resolutionItem(name: string | null, previous: string | null = null): ChangeItem {
  const to = name === null ? null : (RESOLUTIONS.find((r) => r.name === name) ?? null);
  const from = previous === null ? null : (RESOLUTIONS.find((r) => r.name === previous) ?? null);
  return {
    field: 'resolution',
    fieldtype: 'jira',
    fieldId: 'resolution',
    from: from?.id ?? null,
    fromString: from?.name ?? null,
    to: to?.id ?? null,
    toString: to?.name ?? null,
  };
}

function customItem(fieldId: string, fromString: string | null, toString: string | null): ChangeItem {
  const def = CUSTOM_FIELDS.find((f) => f.id === fieldId);
  return { field: def?.name ?? fieldId, fieldtype: 'custom', fieldId, from: null, fromString, to: null, toString };
}

function status(name: string): StatusDef {
  const found = statusByName(name);
  if (!found) throw new Error(`catalog lacks status ${name}`);
  return found;
}

const S = {
  open: status('Open'),
  investigating: status('Investigating'),
  mitigated: status('Mitigated'),
  resolved: status('Resolved'),
  closed: status('Closed'),
  todo: status('To Do'),
  inProgress: status('In Progress'),
  done: status('Done'),
  wontDo: status("Won't Do"),
  inReview: status('In Review'),
};

const ops = PROJECTS[0] as (typeof PROJECTS)[number];
const rel = PROJECTS[1] as (typeof PROJECTS)[number];

function optionId(fieldId: string, index: number): string {
  const def = CUSTOM_FIELDS.find((f) => f.id === fieldId);
  return def?.options?.[index]?.id ?? '';
}

export interface SeedResult {
  incidents: number;
  actionItems: number;
  otherIssues: number;
}

/** Fills the store with incidents, action items and some unrelated issues. */
export function seedIssues(store: IssueStore, size: SeedSize, nowMs: number, zone: string): SeedResult {
  const dice = new Dice(createRandom(size.seed ?? 1));
  const people = store.users.filter((u) => u.accountId !== store.apiUserId);
  const activePeople = people.filter((u) => u.active);
  const botId = store.apiUserId;
  const drafts: Draft[] = [];
  const incidents: { draft: Draft; severityIndex: number; services: string[]; resolvedAt: number | null }[] = [];
  const incidentType = issueTypeByName('Incident');
  const taskType = issueTypeByName('Task');
  const subtaskType = issueTypeByName('Sub-task');
  const problemType = issueTypeByName('Problem');
  if (!incidentType || !taskType || !subtaskType || !problemType) throw new Error('catalog lacks issue types');

  for (let n = 0; n < size.incidents; n++) {
    const startedAgo = dice.int(2 * HOUR, 182 * DAY);
    const start = nowMs - startedAgo;
    const severityIndex = dice.weighted(SEVERITY_WEIGHTS);
    const detectionIndex = dice.weighted(DETECTION_WEIGHTS);
    const customerFound = detectionIndex === 2 || detectionIndex === 3;
    const ttd = dice.duration(customerFound ? 40 * MINUTE : 5 * MINUTE, 0.9, 30_000, 6 * HOUR);
    const detected = start + ttd;
    const created = Math.min(detected + dice.int(1, 12) * MINUTE + dice.int(0, 59_999), nowMs - MINUTE);
    const tta = dice.duration(severityIndex <= 1 ? 4 * MINUTE : 12 * MINUTE, 0.8, 20_000, 3 * HOUR);
    const acknowledged = created + tta;
    // A runbook rollout RUNBOOK_ROLLOUT_AGO ago roughly halved time to resolve: the demo's TTR
    // change is significant while its incident count change is within noise (docs/insights.md).
    const runbookFactor = startedAgo < RUNBOOK_ROLLOUT_AGO ? 0.5 : 1;
    const ttr =
      Math.round(
        dice.duration([50, 90, 180, 360, 600, 240][severityIndex] ?? 240, 0.9, 15, 5 * 24 * 60) * runbookFactor,
      ) * MINUTE;
    // Recent incidents may still be open; a few old ones were mitigated and never closed.
    const ongoing = (startedAgo < 5 * DAY && dice.chance(0.4)) || dice.chance(0.015);
    const resolved = ongoing ? Number.POSITIVE_INFINITY : Math.max(start + ttr, acknowledged + 5 * MINUTE);
    const mitigated =
      acknowledged + Math.max(0, Math.round((Math.min(resolved, nowMs) - acknowledged) * (0.3 + dice.next() * 0.5)));
    const services = SERVICES.filter(() => dice.chance(0.18));
    if (services.length === 0 && !dice.chance(0.05)) services.push(dice.pick(SERVICES));
    const primary = services[0] ?? 'platform';
    const commander = dice.chance(0.92) ? dice.pick(people).accountId : null;
    const responder = dice.pick(activePeople).accountId;
    const events: Event[] = [];
    const custom: Record<string, CustomValue> = {};

    // Timestamps as responders typed them, including the mistakes real data has.
    const anomaly = dice.next();
    custom[FIELD_IDS.impactStart] = anomaly < 0.02 ? null : start;
    custom[FIELD_IDS.detectedAt] =
      anomaly < 0.02 ? detected : anomaly < 0.06 ? null : anomaly < 0.09 ? start - dice.int(5, 90) * MINUTE : detected;
    const impactEnd = anomaly > 0.98 ? start - dice.int(10, 120) * MINUTE : mitigated + dice.int(0, 30) * MINUTE;
    custom[FIELD_IDS.severity] = severityIndex < 0 ? null : optionId(FIELD_IDS.severity, severityIndex);
    custom[FIELD_IDS.services] = services.map((s) => optionId(FIELD_IDS.services, SERVICES.indexOf(s)));
    custom[FIELD_IDS.detectionMethod] = detectionIndex < 0 ? null : optionId(FIELD_IDS.detectionMethod, detectionIndex);
    custom[FIELD_IDS.commander] = commander;
    custom[FIELD_IDS.rootCause] = null;

    let current = S.open;
    let resolution: string | null = null;
    let resolutionDate: number | null = null;
    const move = (to: StatusDef, at: number, extra: ChangeItem[] = []): void => {
      if (at > nowMs) return;
      events.push({ at, authorId: responder, items: [statusItem(current, to), ...extra] });
      current = to;
    };
    // Severity is often set a minute after the ticket is opened by automation.
    if (severityIndex >= 0 && dice.chance(0.5)) {
      const setAt = created + dice.int(20, 240) * 1000;
      events.push({
        at: setAt,
        authorId: botId,
        items: [customItem(FIELD_IDS.severity, null, SEVERITY_VALUES[severityIndex] ?? null)],
      });
    }
    move(S.investigating, acknowledged);
    move(S.mitigated, mitigated);
    const doneWithoutResolution = dice.chance(0.05);
    const reopened = dice.chance(0.05);
    let finalResolved: number | null = null;
    if (resolved <= nowMs) {
      move(S.resolved, resolved, doneWithoutResolution ? [] : [resolutionItem('Done')]);
      finalResolved = resolved;
      if (!doneWithoutResolution) {
        resolution = 'Done';
        resolutionDate = resolved;
      }
      if (reopened) {
        const reopenAt = resolved + dice.int(1, 36) * HOUR;
        const again = reopenAt + dice.int(1, 48) * HOUR;
        if (again <= nowMs) {
          move(S.investigating, reopenAt, resolution ? [resolutionItem(null, resolution)] : []);
          move(S.resolved, again, doneWithoutResolution ? [] : [resolutionItem('Done')]);
          if (!doneWithoutResolution) resolutionDate = again;
        }
      }
      if (current.category === 'done' && dice.chance(0.3)) {
        const closeAt = (resolutionDate ?? resolved) + dice.int(1, 7) * DAY;
        if (closeAt <= nowMs) move(S.closed, closeAt);
      }
    }
    const isDone = current.category === 'done';
    if (!isDone) {
      resolution = null;
      resolutionDate = null;
    }
    custom[FIELD_IDS.impactEnd] = isDone || impactEnd < nowMs ? (impactEnd <= nowMs ? impactEnd : null) : null;
    if (isDone) {
      const cause = dice.pick(ROOT_CAUSES);
      custom[FIELD_IDS.rootCause] = cause;
      const at = (resolutionDate ?? resolved) + dice.int(1, 72) * HOUR;
      if (at <= nowMs)
        events.push({ at, authorId: commander ?? responder, items: [customItem(FIELD_IDS.rootCause, null, cause)] });
    }
    // About one incident in twelve is edited far more than 40 times (a long war-room ticket).
    if (dice.chance(0.08) || n % 60 === 7) {
      const extra = dice.int(45, 110);
      const until = Math.min(nowMs, (finalResolved ?? nowMs) + 3 * DAY);
      for (let k = 0; k < extra; k++) {
        const at = acknowledged + Math.round(((until - acknowledged) * (k + 1)) / (extra + 1));
        const which = k % 3;
        const item =
          which === 0
            ? customItem(FIELD_IDS.services, primary, services.join(','))
            : which === 1
              ? ({
                  field: 'labels',
                  fieldtype: 'jira',
                  fieldId: 'labels',
                  from: null,
                  fromString: '',
                  to: null,
                  toString: `war-room-${k}`,
                } as ChangeItem)
              : ({
                  field: 'description',
                  fieldtype: 'jira',
                  fieldId: 'description',
                  from: null,
                  fromString: null,
                  to: null,
                  toString: `Update ${k}: status page refreshed.`,
                } as ChangeItem);
        events.push({ at, authorId: dice.pick(activePeople).accountId, items: [item] });
      }
    }
    const priority =
      severityIndex >= 0 && severityIndex <= 4 ? (PRIORITIES[severityIndex] ?? null) : (PRIORITIES[2] ?? null);
    const draft: Draft = {
      issue: {
        project: ops,
        issueType: incidentType,
        summary: dice.pick(INCIDENT_SUMMARIES).replace('{s}', primary),
        description: adfParagraph(
          `Customer impact on ${services.join(', ') || 'an unknown service'}. See the post-incident review for details.`,
        ),
        status: current,
        resolution: resolution === null ? null : (RESOLUTIONS.find((r) => r.name === resolution) ?? null),
        resolutionDate,
        priority,
        labels: dice.chance(0.3) ? ['customer-facing'] : [],
        created,
        updated: created,
        dueDate: null,
        assigneeId: commander ?? responder,
        reporterId: dice.chance(0.6) ? botId : responder,
        parentId: null,
        custom,
        histories: [],
      },
      events,
      links: [],
    };
    drafts.push(draft);
    incidents.push({ draft, severityIndex, services, resolvedAt: finalResolved });
  }

  // Problems: the non-incident issues some action items (and incidents) link to.
  const problems: Draft[] = [];
  const problemCount = Math.max(size.incidents > 0 ? 1 : 0, Math.round(size.incidents / 8));
  for (let n = 0; n < problemCount; n++) {
    const created = nowMs - dice.int(1 * DAY, 170 * DAY);
    const draft: Draft = {
      issue: {
        project: ops,
        issueType: problemType,
        summary: `Recurring ${dice.pick(ROOT_CAUSES).toLowerCase()} failures in ${dice.pick(SERVICES)}`,
        description: adfParagraph('Problem record grouping related incidents.'),
        status: dice.chance(0.5) ? S.inProgress : S.todo,
        resolution: null,
        resolutionDate: null,
        priority: PRIORITIES[2] ?? null,
        labels: ['problem'],
        created,
        updated: created,
        dueDate: null,
        assigneeId: dice.pick(activePeople).accountId,
        reporterId: dice.pick(people).accountId,
        parentId: null,
        custom: {},
        histories: [],
      },
      events: [],
      links: [],
    };
    problems.push(draft);
    drafts.push(draft);
    const related = incidents.length > 0 ? dice.pick(incidents) : undefined;
    const linkType = LINK_TYPES.find((t) => t.name === 'Problem/Incident');
    if (related && linkType && related.draft.issue.created < nowMs) {
      draft.links.push({
        type: linkType,
        other: related.draft,
        thisIsInward: false,
        at: Math.max(created, related.draft.issue.created) + HOUR,
      });
    }
  }

  // Action items. Heavier incidents get more of them.
  const weightedIncidents: [number, number][] = incidents.map((inc, i) => [
    i,
    inc.severityIndex >= 0 && inc.severityIndex <= 1 ? 4 : inc.severityIndex === 2 ? 2 : 1,
  ]);
  const linkChoices: [LinkTypeDef, number][] = LINK_TYPES.map((t) => [
    t,
    (
      {
        Relates: 45,
        Blocks: 18,
        'Post-Incident Reviews': 15,
        'Problem/Incident': 12,
        Cloners: 5,
        Duplicate: 5,
      } as Record<string, number>
    )[t.name] ?? 1,
  ]);
  const cumulative: number[] = [];
  let running = 0;
  for (const [, w] of weightedIncidents) cumulative.push((running += w));
  const pickIncident = (): (typeof incidents)[number] | undefined => {
    if (incidents.length === 0) return undefined;
    const roll = dice.next() * running;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > roll) hi = mid;
      else lo = mid + 1;
    }
    return incidents[lo];
  };

  for (let n = 0; n < size.actionItems; n++) {
    const incident = pickIncident();
    const base = incident?.draft.issue.created ?? nowMs - dice.int(1, 150) * DAY;
    // Filed some time after its incident; one planned for the future is filed between the
    // incident and an hour ago instead (clamping all of them to "just now" made a burst).
    const planned = base + dice.duration(2 * DAY, 1, 10 * MINUTE, 25 * DAY);
    const created =
      planned < nowMs - HOUR
        ? planned
        : Math.min(base + Math.floor(dice.next() * Math.max(0, nowMs - HOUR - base)), nowMs - MINUTE);
    const service = incident?.services[0] ?? dice.pick(SERVICES);
    const kindRoll = dice.next();
    const kind = !incident
      ? 'orphan'
      : kindRoll < 0.22
        ? 'child'
        : kindRoll < 0.8
          ? 'linked'
          : kindRoll < 0.86
            ? 'problemOnly'
            : kindRoll < 0.92
              ? 'orphan'
              : 'twoIncidents';
    const owner = dice.chance(0.86) ? dice.pick(people).accountId : null;
    const dueDate = dice.chance(0.72) ? formatJiraDate(created + dice.pick([7, 14, 21, 30, 45, 60]) * DAY, zone) : null;
    const events: Event[] = [];
    let current = S.todo;
    let resolution: string | null = null;
    let resolutionDate: number | null = null;
    const age = nowMs - created;
    const doneChance = Math.min(0.88, age / (70 * DAY));
    const actor = owner ?? dice.pick(activePeople).accountId;
    const move = (to: StatusDef, at: number, extra: ChangeItem[] = []): void => {
      events.push({ at, authorId: actor, items: [statusItem(current, to), ...extra] });
      current = to;
    };
    if (dice.chance(doneChance)) {
      const doneAt = created + Math.round(age * (0.05 + dice.next() * 0.9));
      const startedAt = created + Math.round((doneAt - created) * dice.next() * 0.6);
      const outcome = dice.next();
      if (outcome < 0.12) {
        move(S.wontDo, doneAt, [resolutionItem("Won't Do")]);
        resolution = "Won't Do";
        resolutionDate = doneAt;
      } else {
        move(S.inProgress, startedAt);
        if (dice.chance(0.15)) move(S.inReview, startedAt + Math.round((doneAt - startedAt) / 2));
        // One in ten is closed by a workflow without a resolution screen: only the changelog knows.
        if (outcome < 0.21) move(S.done, doneAt);
        else {
          move(S.done, doneAt, [resolutionItem('Done')]);
          resolution = 'Done';
          resolutionDate = doneAt;
        }
      }
    } else if (dice.chance(0.4)) {
      move(S.inProgress, created + Math.round(age * dice.next() * 0.8));
    }
    if (dueDate !== null && dice.chance(0.12)) {
      const at = created + Math.round(age * dice.next() * 0.5);
      events.push({
        at,
        authorId: actor,
        items: [
          {
            field: 'duedate',
            fieldtype: 'jira',
            fieldId: 'duedate',
            from: null,
            fromString: null,
            to: dueDate,
            toString: dueDate,
          },
        ],
      });
    }
    const isChild = kind === 'child' && incident !== undefined;
    const draft: Draft = {
      issue: {
        project: isChild ? ops : rel,
        issueType: isChild ? subtaskType : taskType,
        summary: dice.pick(ACTION_SUMMARIES).replace('{s}', service),
        description: ACTION_ITEM_DESCRIPTION,
        status: current,
        resolution: resolution === null ? null : (RESOLUTIONS.find((r) => r.name === resolution) ?? null),
        resolutionDate,
        priority: PRIORITIES[dice.int(1, 3)] ?? null,
        labels: dice.chance(0.2) ? ['postmortem-action', service] : ['postmortem-action'],
        created,
        updated: created,
        dueDate,
        assigneeId: owner,
        reporterId: dice.pick(people).accountId,
        parentId: null,
        custom: {},
        histories: [],
      },
      events,
      links: [],
    };
    if (isChild && incident) draft.parent = incident.draft;
    const linkAt = created + dice.int(1, 30) * MINUTE;
    const problem = problems.length > 0 ? dice.pick(problems) : undefined;
    if ((kind === 'linked' || kind === 'twoIncidents') && incident) {
      // Sometimes the problem link comes first, so "the first link" must skip non-incidents.
      if (problem && dice.chance(0.1))
        draft.links.push({
          type: dice.weighted(linkChoices),
          other: problem,
          thisIsInward: dice.chance(0.5),
          at: linkAt,
        });
      draft.links.push({
        type: dice.weighted(linkChoices),
        other: incident.draft,
        thisIsInward: dice.chance(0.5),
        at: linkAt + 1000,
      });
      if (kind === 'twoIncidents') {
        const second = pickIncident();
        if (second && second !== incident)
          draft.links.push({
            type: dice.weighted(linkChoices),
            other: second.draft,
            thisIsInward: dice.chance(0.5),
            at: linkAt + 2000,
          });
      }
    } else if (kind === 'child' && incident && dice.chance(0.15)) {
      // A child that is also linked, to another incident: the parent must win.
      const other = pickIncident();
      if (other && other !== incident)
        draft.links.push({
          type: dice.weighted(linkChoices),
          other: other.draft,
          thisIsInward: dice.chance(0.5),
          at: linkAt,
        });
    } else if (kind === 'problemOnly' && problem) {
      draft.links.push({
        type: dice.weighted(linkChoices),
        other: problem,
        thisIsInward: dice.chance(0.5),
        at: linkAt,
      });
    }
    drafts.push(draft);
  }

  // Unrelated REL work without the label: the action-item JQL must not pick these up.
  const noise = Math.round(size.actionItems / 10);
  for (let n = 0; n < noise; n++) {
    const created = nowMs - dice.int(1 * HOUR, 180 * DAY);
    drafts.push({
      issue: {
        project: rel,
        issueType: dice.chance(0.5) ? taskType : (issueTypeByName('Story') ?? taskType),
        summary: `Improve ${dice.pick(SERVICES)} developer tooling`,
        description: NOISE_DESCRIPTION,
        status: S.todo,
        resolution: null,
        resolutionDate: null,
        priority: PRIORITIES[3] ?? null,
        labels: dice.chance(0.5) ? ['tech-debt'] : [],
        created,
        updated: created,
        dueDate: null,
        assigneeId: dice.pick(activePeople).accountId,
        reporterId: dice.pick(people).accountId,
        parentId: null,
        custom: {},
        histories: [],
      },
      events: [],
      links: [],
    });
  }

  // Keys and ids grow with creation time, as on a real site; parents come before children.
  drafts.sort((a, b) => a.issue.created - b.issue.created);
  for (const draft of drafts) {
    if (draft.parent?.inserted) draft.issue.parentId = draft.parent.inserted.id;
    draft.inserted = store.insert(draft.issue);
  }
  for (const draft of drafts) {
    const self = draft.inserted as SampleIssue;
    for (const link of draft.links) {
      const other = link.other.inserted as SampleIssue;
      const inward = link.thisIsInward ? self : other;
      const outward = link.thisIsInward ? other : self;
      const at = linkTime(link.at, self.created, other.created, nowMs);
      store.addLinkRaw(link.type, inward, outward);
      const linkEvent = (to: SampleIssue, phrase: string): Event => ({
        at,
        authorId: botId,
        items: [
          {
            field: 'Link',
            fieldtype: 'jira',
            from: null,
            fromString: null,
            to: to.key,
            toString: `This issue ${phrase} ${to.key}`,
          },
        ],
      });
      const inwardDraft = link.thisIsInward ? draft : link.other;
      const outwardDraft = link.thisIsInward ? link.other : draft;
      inwardDraft.events.push(linkEvent(outward, link.type.outward));
      outwardDraft.events.push(linkEvent(inward, link.type.inward));
    }
  }
  for (const draft of drafts) {
    const issue = draft.inserted as SampleIssue;
    draft.events.sort((a, b) => a.at - b.at);
    let updated = issue.created;
    for (const event of draft.events) {
      const at = Math.min(Math.max(event.at, issue.created), nowMs);
      issue.histories.push({ id: store.newHistoryId(), created: at, authorId: event.authorId, items: event.items });
      updated = Math.max(updated, at);
    }
    issue.updated = updated;
  }
  store.generation++;
  const actionItems = size.actionItems;
  return { incidents: size.incidents, actionItems, otherIssues: drafts.length - size.incidents - actionItems };
}
