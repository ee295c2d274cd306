/**
 * Importing a filled-in post-mortem: parse it, find (or create, document-only) its
 * incident, store what it says, and give every action-item row its Jira ticket, once.
 *
 * A row whose ID (or Jira column) is an existing Jira issue is that ticket: it is linked to
 * the incident when it is not already, and its fields are left alone (Jira owns them);
 * where the row and Jira disagree, the difference is reported. Every other row is created
 * through the exactly-once flow of `createTicket.ts`, so a re-run creates only what is
 * still missing. One row failing does not stop the others.
 */
import type { DetectionCategory, Incident, Postmortem, PostmortemActionRow } from '../domain/types.js';
import type { ImportPostmortemResponse } from '../domain/api.js';
import { InputError } from '../errors.js';
import type { PostmortemReader } from '../postmortem/read.js';
import { isJiraKey } from '../postmortem/values.js';
import type { JiraTicket } from '../jira/tickets.js';
import { attachToIncident, createActionItemTicket, type TicketDeps } from './createTicket.js';
import { idempotencyKeyFor, normaliseSummary } from './ticketContent.js';

export type ImportRowResult = ImportPostmortemResponse['actionItems'][number];

export interface ImportResult extends ImportPostmortemResponse {
  /** Whether the incident was found in the store (`jira` or an earlier import) or created from the document. */
  incidentSource: 'jira' | 'document' | 'created';
  warnings: string[];
}

export interface PlannedRow {
  ref: string | null;
  action: 'create' | 'already-created' | 'check-existing';
  jiraKey: string | null;
  summary: string;
  owner: string | null;
  dueDate: string | null;
  project: string | null;
  issueType: string;
  labels: string[];
}

export interface DryRunResult {
  postmortem: Postmortem;
  incident: { key: string; exists: boolean; source: 'jira' | 'document' | null };
  tickets: PlannedRow[];
  warnings: string[];
}

/** A document's detection text as a category (the document has no Jira field to map). */
export function detectionCategoryOf(method: string | null): DetectionCategory {
  if (!method) return 'unknown';
  const text = method.toLowerCase();
  if (/customer|user report|client/.test(text)) return 'customer';
  if (/internal|engineer|employee|staff|noticed/.test(text)) return 'internal';
  if (/support/.test(text)) return 'customer';
  if (/alert|monitor|automat|synthetic|prometheus|datadog|grafana|pager|probe|check/.test(text)) return 'automated';
  return 'unknown';
}

function plusSeconds(instant: string | null, seconds: number | null): string | null {
  if (!instant || seconds === null) return null;
  return new Date(Date.parse(instant) + seconds * 1000).toISOString();
}

/**
 * The incident a document describes when Jira does not know it. Times come from what the
 * document states: start and end, detection = start + time to detect, acknowledgement =
 * detection + time to acknowledge, resolution = end (else start + time to resolve).
 */
export function documentIncident(postmortem: Postmortem, now: Date, previous: Incident | null): Incident {
  const s = postmortem.summary;
  const detectedAt = plusSeconds(s.startedAt, postmortem.detection.timeToDetectSeconds);
  const resolvedAt = s.endedAt ?? plusSeconds(s.startedAt, postmortem.timeToResolveSeconds);
  const createdAt = previous?.createdAt ?? s.startedAt ?? now.toISOString();
  return {
    key: postmortem.incidentKey,
    jiraId: null,
    source: 'document',
    summary: postmortem.title ?? s.impact ?? postmortem.incidentKey,
    url: null,
    status: resolvedAt ? 'Resolved' : 'Open',
    statusCategory: resolvedAt ? 'done' : 'new',
    severity: s.severity,
    services: s.services,
    detectionMethod: postmortem.detection.method,
    detection: detectionCategoryOf(postmortem.detection.method),
    commander: s.commander,
    startedAt: s.startedAt,
    detectedAt,
    acknowledgedAt: plusSeconds(detectedAt, postmortem.timeToAcknowledgeSeconds),
    resolvedAt,
    endedAt: s.endedAt ?? resolvedAt,
    createdAt,
    updatedAt: now.toISOString(),
    placeAt: s.startedAt ?? createdAt,
    // No Jira changelog exists for it: the document's timeline is the only one.
    timeline: postmortem.timeline,
    readProblems: [],
  };
}

/** The Jira issue a row names: its Jira column, else an ID that is shaped like an issue key. */
function namedJiraKey(row: PostmortemActionRow): string | null {
  if (row.jiraKey) return row.jiraKey;
  return isJiraKey(row.ref) ? row.ref : null;
}

/** Where a row and its existing Jira ticket disagree (reported, never written to Jira). */
export function differencesFrom(row: PostmortemActionRow, ticket: JiraTicket, actionItemLabel: string): string[] {
  const differences: string[] = [];
  if (normaliseSummary(row.description) !== normaliseSummary(ticket.summary)) {
    differences.push(`summary: the document says "${row.description}", Jira says "${ticket.summary}"`);
  }
  if (row.owner) {
    const owner = row.owner.replace(/^@/, '').toLowerCase();
    if (!ticket.assignee || ticket.assignee.toLowerCase() !== owner) {
      differences.push(
        `owner: the document says "${row.owner}", Jira says ${ticket.assignee ? `"${ticket.assignee}"` : 'unassigned'}`,
      );
    }
  }
  if (row.dueDate && row.dueDate !== ticket.dueDate) {
    differences.push(`due date: the document says ${row.dueDate}, Jira says ${ticket.dueDate ?? 'none'}`);
  }
  if (row.status && row.status.toLowerCase() !== ticket.status.toLowerCase()) {
    differences.push(`status: the document says "${row.status}", Jira says "${ticket.status}"`);
  }
  if (!ticket.labels.includes(actionItemLabel)) {
    differences.push(
      `labels: Jira's issue lacks the label "${actionItemLabel}", so the sync does not read it as an action item`,
    );
  }
  return differences;
}

export interface ImportDeps extends TicketDeps {
  /** Zone of times written without an offset (the template says UTC). */
  zone?: string;
  /** Reads the document within the documented limits, off the event loop (one per product). */
  reader: Pick<PostmortemReader, 'read'>;
}

/** Within the documented limits (postmortem/limits.ts), off the event loop: the API and the CLI alike. */
function parse(markdown: string, deps: Pick<ImportDeps, 'now' | 'zone' | 'reader'>) {
  return deps.reader.read(markdown, { now: deps.now(), ...(deps.zone ? { zone: deps.zone } : {}) });
}

/** `--dry-run`: the parsed document and the tickets an import would create; reads the store, writes nothing. */
export async function planImport(
  deps: Pick<ImportDeps, 'store' | 'settings' | 'now' | 'zone' | 'reader'>,
  markdown: string,
): Promise<DryRunResult> {
  const { postmortem, warnings } = await parse(markdown, deps);
  const incident = await deps.store.getIncident(postmortem.incidentKey);
  const project =
    deps.settings.actionItemProject ?? (incident?.source === 'jira' ? incident.key.replace(/-\d+$/, '') : null);
  const tickets: PlannedRow[] = [];
  for (const row of postmortem.actionItems) {
    const existing = namedJiraKey(row);
    const idempotencyKey = idempotencyKeyFor(postmortem.incidentKey, row.ref, row.description);
    const request = existing ? null : await deps.store.getTicketRequest(idempotencyKey);
    tickets.push({
      ref: row.ref,
      action: existing ? 'check-existing' : request?.state === 'created' ? 'already-created' : 'create',
      jiraKey: existing ?? request?.jiraKey ?? null,
      summary: row.description,
      owner: row.owner,
      dueDate: row.dueDate,
      project,
      issueType: deps.settings.actionItemIssueType,
      labels: [deps.settings.actionItemLabel],
    });
  }
  return {
    postmortem,
    incident: { key: postmortem.incidentKey, exists: incident !== null, source: incident?.source ?? null },
    tickets,
    warnings,
  };
}

async function importRow(deps: ImportDeps, incident: Incident, row: PostmortemActionRow): Promise<ImportRowResult> {
  const named = namedJiraKey(row);
  if (named) {
    const ticket = await deps.jira.getIssue(named);
    if (ticket) {
      const linked = await attachToIncident(deps, incident, ticket, row.ref === named ? null : row.ref);
      row.jiraKey = ticket.key;
      const differences = differencesFrom(row, ticket, deps.settings.actionItemLabel);
      return {
        ref: row.ref,
        jiraKey: ticket.key,
        status: linked ? 'linked' : 'existing',
        ...(differences.length ? { differences } : {}),
      };
    }
    if (row.jiraKey) {
      // A Jira column naming an issue that does not exist is a mistake, not a request to create one.
      return {
        ref: row.ref,
        jiraKey: null,
        status: 'failed',
        error: `${row.jiraKey} does not exist in Jira (or this account cannot see it)`,
      };
    }
    // An ID shaped like a key that Jira does not know is the document's own reference.
  }
  const result = await createActionItemTicket(deps, {
    incidentKey: incident.key,
    idempotencyKey: idempotencyKeyFor(incident.key, row.ref, row.description),
    summary: row.description,
    owner: row.owner,
    dueDate: row.dueDate,
    description: null,
    documentRef: row.ref,
  });
  row.jiraKey = result.key;
  if (result.outcome === 'existing' && incident.source === 'jira') {
    // Created by an earlier import, perhaps while the incident was still document-only: make sure it is linked now.
    const ticket = await deps.jira.getIssue(result.key);
    if (ticket && (await attachToIncident(deps, incident, ticket, row.ref)))
      return { ref: row.ref, jiraKey: result.key, status: 'linked' };
  }
  const status = result.outcome === 'created' ? 'created' : 'existing';
  if (
    result.outcome === 'created' &&
    row.status &&
    /\b(?:done|closed|complete[d]?|resolved|fixed|won'?t)\b/i.test(row.status)
  ) {
    // Jira owns the status: a new ticket starts open whatever the row says, so say so.
    return {
      ref: row.ref,
      jiraKey: result.key,
      status,
      differences: [`status: the document says "${row.status}"; the new ticket starts open in Jira, close it there`],
    };
  }
  return { ref: row.ref, jiraKey: result.key, status };
}

export async function importPostmortem(deps: ImportDeps, markdown: string): Promise<ImportResult> {
  const { postmortem, warnings } = await parse(markdown, deps);
  const { store } = deps;

  let incident = await store.getIncident(postmortem.incidentKey);
  if (
    incident?.source !== 'jira' &&
    !deps.settings.actionItemProject &&
    postmortem.actionItems.some((row) => !namedJiraKey(row))
  ) {
    throw new InputError(
      `Incident ${postmortem.incidentKey} is not a Jira issue this server knows, so its action items need a project: set jira.actionItemProject in the config file (or write the incident's Jira key as its Incident ID)`,
      'jira.actionItemProject',
    );
  }
  let incidentSource: ImportResult['incidentSource'];
  if (incident?.source === 'jira') {
    incidentSource = 'jira';
  } else {
    incidentSource = incident ? 'document' : 'created';
    incident = documentIncident(postmortem, deps.now(), incident);
    await store.upsertIncidents([incident]);
    if (isJiraKey(incident.key) && (await deps.jira.getIssue(incident.key).catch(() => null))) {
      warnings.push(
        `${incident.key} is a Jira issue the sync has not stored as an incident (not synced yet, or not matched by jira.incidentJql): it is kept as a document-only incident and its tickets are not linked to it; run the sync, then import again to link them`,
      );
    }
  }

  // Keep jiraKeys an earlier import recorded, so a failed re-run does not forget them.
  const previous = await store.getPostmortem(postmortem.incidentKey);
  await store.savePostmortem({
    ...postmortem,
    actionItems: postmortem.actionItems.map((row) => ({ ...row, jiraKey: row.jiraKey ?? matchingKey(previous, row) })),
  });

  const actionItems: ImportRowResult[] = [];
  for (const row of postmortem.actionItems) {
    try {
      actionItems.push(await importRow(deps, incident, row));
    } catch (error) {
      if (!(error instanceof Error) || error.name === 'TypeError' || error.name === 'ReferenceError') throw error;
      actionItems.push({ ref: row.ref, jiraKey: null, status: 'failed', error: error.message });
    }
  }
  for (const row of postmortem.actionItems) row.jiraKey ??= matchingKey(previous, row);
  await store.savePostmortem(postmortem);

  return {
    incident: incident.key,
    incidentSource,
    actionItems,
    created: actionItems.filter((r) => r.status === 'created' && r.jiraKey).map((r) => r.jiraKey!),
    warnings,
  };
}

function matchingKey(previous: Postmortem | null, row: PostmortemActionRow): string | null {
  const match = previous?.actionItems.find((old) =>
    row.ref ? old.ref === row.ref : normaliseSummary(old.description) === normaliseSummary(row.description),
  );
  return match?.jiraKey ?? null;
}

/** True when some rows failed because Jira did (the caller answers 502 / exits non-zero). */
export function hasFailures(result: ImportPostmortemResponse): boolean {
  return result.actionItems.some((row) => row.status === 'failed');
}
