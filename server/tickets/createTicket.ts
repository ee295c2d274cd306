/**
 * Creating one action-item ticket in Jira exactly once.
 *
 * The idempotency key is recorded in the store (a TicketRequest, written before Jira is
 * called) and on the Jira issue (a `pmi-<key>` label and an entity property, sent in the
 * create request itself so there is no moment when the issue exists without them). Every
 * attempt first asks the store, then Jira (by the label), and creates only when neither
 * knows the ticket. So:
 * - a client retry after success finds the store record and returns the same key;
 * - a 503 or a dropped connection after Jira created the issue: the same attempt looks the
 *   label up and, failing that, records the attempt as failed; the next one finds it;
 * - a crash between Jira's reply and the store write leaves a pending record; the next
 *   attempt finds the issue by its label.
 * Two concurrent attempts for one key (two requests of one process, or of two replicas)
 * are kept apart by a store lease that each attempt takes as its own holder
 * (server/leases/holder.ts); the one refused answers 409 naming the holder and when its
 * lease ends. An attempt whose lease was lost does not send the create.
 * A create POST is never re-sent inside one attempt.
 */
import type { ActionItem, Incident, IsoDate, TicketRequest } from '../domain/types.js';
import { ConflictError, InputError, JiraError, NotFoundError } from '../errors.js';
import type { JiraTicket, JiraTicketWriter } from '../jira/tickets.js';
import { takeLease } from '../leases/holder.js';
import { sleep } from '../retry/policy.js';
import type { Store } from '../store/Store.js';
import { isIsoDate } from '../time.js';
import { actionItemDescription, idempotencyLabel, TICKET_PROPERTY_KEY } from './ticketContent.js';

export interface TicketSettings {
  /** `jira.actionItemProject`; null: the incident's own project. */
  actionItemProject: string | null;
  actionItemIssueType: string;
  actionItemLabel: string;
  /** Where the tab is served (`PUBLIC_URL`), for links to document-only incidents. */
  publicUrl: string | null;
}

export interface TicketDeps {
  store: Store;
  jira: JiraTicketWriter;
  settings: TicketSettings;
  now: () => Date;
  /**
   * Waits before the label is searched again after a create whose outcome is unknown:
   * Jira's search is eventually consistent, so a just-created issue may not be found yet.
   */
  recheckDelaysMs?: number[];
  sleep?: (ms: number) => Promise<void>;
  /** Told about each ticket created, found again, or failed (the server logs it). */
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

export interface ActionItemTicketInput {
  incidentKey: string;
  idempotencyKey: string;
  summary: string;
  owner: string | null;
  dueDate: IsoDate | null;
  description: string | null;
  documentRef: string | null;
}

export interface ActionItemTicketResult {
  key: string;
  url: string;
  /** `created` by this call; `existing` when an earlier attempt had already created it. */
  outcome: 'created' | 'existing';
}

export const DEFAULT_RECHECK_DELAYS_MS = [1_000, 2_000];
/** A pending attempt older than this was made long enough ago for Jira's search to show its issue. */
const SEARCH_SETTLED_MS = 30_000;
const MAX_SUMMARY = 255;

/** Checks what a caller sends (the tab's form, the API); the import has checked its rows already. */
export function validateTicketInput(input: {
  summary?: unknown;
  owner?: unknown;
  dueDate?: unknown;
  description?: unknown;
}): {
  summary: string;
  owner: string | null;
  dueDate: IsoDate | null;
  description: string | null;
} {
  const optionalText = (name: string, value: unknown, max: number): string | null => {
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') throw new InputError(`${name} must be a string`, name);
    if (value.length > max) throw new InputError(`${name} is longer than ${max} characters`, name);
    return value.trim() || null;
  };
  const summary = optionalText('summary', input.summary, MAX_SUMMARY);
  if (summary === null)
    throw new InputError('summary is required: a one-line description of the action item', 'summary');
  if (/[\r\n]/.test(summary)) throw new InputError('summary must be one line (put details in description)', 'summary');
  const dueDate = optionalText('dueDate', input.dueDate, 10);
  if (dueDate !== null && !isIsoDate(dueDate)) {
    throw new InputError(`dueDate "${dueDate}" is not a date; write YYYY-MM-DD`, 'dueDate');
  }
  return {
    summary,
    owner: optionalText('owner', input.owner, 200),
    dueDate,
    description: optionalText('description', input.description, 30_000),
  };
}

/** The incident's link for a ticket description: Jira's browse URL, else the tab's page for it. */
function incidentUrl(incident: Incident, settings: TicketSettings): string | null {
  if (incident.url) return incident.url;
  if (!settings.publicUrl) return null;
  return `${settings.publicUrl.replace(/\/+$/, '')}/tab?incident=${encodeURIComponent(incident.key)}`;
}

function projectFor(incident: Incident, settings: TicketSettings): string {
  if (settings.actionItemProject) return settings.actionItemProject;
  if (incident.source === 'jira') return incident.key.replace(/-\d+$/, '');
  throw new InputError(
    `Incident ${incident.key} exists only in a document, so it has no Jira project; set jira.actionItemProject in the config file`,
    'jira.actionItemProject',
  );
}

/** The owner as a Jira account, when the text resolves to exactly one active user. */
export async function resolveAssignee(
  jira: JiraTicketWriter,
  owner: string | null,
): Promise<{ accountId: string; displayName: string } | null> {
  if (!owner) return null;
  const query = owner.replace(/^@/, '').trim();
  if (query.length < 2) return null;
  try {
    const users = await jira.findUsers(query);
    return users.length === 1 ? users[0]! : null;
  } catch (error) {
    // No permission to browse users (403) and the like: the owner stays text in the description.
    if (
      error instanceof JiraError &&
      error.status !== null &&
      error.status >= 400 &&
      error.status < 500 &&
      error.status !== 429
    )
      return null;
    throw error;
  }
}

/** The stored action item for a ticket we know (so the tab shows it before the next sync). */
export function actionItemFromTicket(
  ticket: JiraTicket,
  incidentKey: string,
  documentRef: string | null,
  url: string,
  now: Date,
): ActionItem {
  const toIso = (value: string | null): string => {
    const ms = value ? Date.parse(value) : Number.NaN;
    return Number.isNaN(ms) ? now.toISOString() : new Date(ms).toISOString();
  };
  return {
    key: ticket.key,
    jiraId: ticket.id,
    summary: ticket.summary,
    incidentKey,
    owner: ticket.assignee,
    status: ticket.status,
    statusCategory: ticket.statusCategory,
    jiraDueDate: ticket.dueDate,
    createdAt: toIso(ticket.created),
    updatedAt: toIso(ticket.updated),
    resolvedAt: null,
    url,
    labels: ticket.labels,
    documentRef,
    readProblems: [],
  };
}

/**
 * Links the ticket to a Jira incident unless it is already linked (quiet: no duplicate
 * links) and stores it as the incident's action item unless the store already has it.
 * Returns whether a link was written.
 */
export async function attachToIncident(
  deps: Pick<TicketDeps, 'store' | 'jira' | 'now'>,
  incident: Incident,
  ticket: JiraTicket,
  documentRef: string | null,
): Promise<boolean> {
  let linked = false;
  if (incident.source === 'jira' && !ticket.linkedKeys.includes(incident.key)) {
    await deps.jira.linkIssues(incident.key, ticket.key);
    linked = true;
  }
  const stored = await deps.store.getActionItem(ticket.key);
  if (!stored) {
    await deps.store.upsertActionItems([
      actionItemFromTicket(ticket, incident.key, documentRef, deps.jira.browseUrl(ticket.key), deps.now()),
    ]);
  } else if (stored.incidentKey === null || (documentRef && stored.documentRef === null)) {
    await deps.store.upsertActionItems([
      { ...stored, incidentKey: stored.incidentKey ?? incident.key, documentRef: stored.documentRef ?? documentRef },
    ]);
  }
  return linked;
}

async function findByLabel(deps: TicketDeps, idempotencyKey: string, delays: number[]): Promise<string | null> {
  const wait = deps.sleep ?? sleep;
  for (const delay of [0, ...delays]) {
    if (delay > 0) await wait(delay);
    const found = await deps.jira.findByLabel(idempotencyLabel(idempotencyKey));
    if (found[0]) return found[0].key;
  }
  return null;
}

/** A create whose reply never came (5xx, network) may have happened; a 4xx did not. */
function uncertain(error: unknown): boolean {
  return error instanceof JiraError && (error.status === null || error.status >= 500);
}

export async function createActionItemTicket(
  deps: TicketDeps,
  input: ActionItemTicketInput,
): Promise<ActionItemTicketResult> {
  const { store, jira } = deps;
  const incident = await store.getIncident(input.incidentKey);
  if (!incident)
    throw new NotFoundError(`Incident ${input.incidentKey} is not known; run a sync or import its post-mortem first`);

  const recorded = await store.getTicketRequest(input.idempotencyKey);
  if (recorded?.state === 'created' && recorded.jiraKey) {
    return { key: recorded.jiraKey, url: jira.browseUrl(recorded.jiraKey), outcome: 'existing' };
  }

  const attempt = await takeLease(store, `ticket:${input.idempotencyKey}`, { now: deps.now });
  if (!attempt.acquired) {
    throw new ConflictError(
      `The ticket "${input.summary}" is being created by another request (${attempt.refusal}); retry after that`,
    );
  }
  const { lease } = attempt;
  try {
    let request: TicketRequest | null = recorded;
    if (!request) {
      const now = deps.now().toISOString();
      request = await store.createTicketRequest({
        idempotencyKey: input.idempotencyKey,
        incidentKey: incident.key,
        state: 'pending',
        jiraKey: null,
        summary: input.summary,
        owner: input.owner,
        dueDate: input.dueDate,
        description: input.description,
        documentRef: input.documentRef,
        error: null,
        createdAt: now,
        updatedAt: now,
      });
      request ??= await store.getTicketRequest(input.idempotencyKey);
      if (request?.state === 'created' && request.jiraKey) {
        return { key: request.jiraKey, url: jira.browseUrl(request.jiraKey), outcome: 'existing' };
      }
    }
    // An earlier attempt that did not finish may have created the issue: ask Jira first, and
    // when that attempt was moments ago, give the search index time to catch up.
    const delays = deps.recheckDelaysMs ?? DEFAULT_RECHECK_DELAYS_MS;
    const recentUnknown =
      recorded?.state === 'pending' && deps.now().getTime() - Date.parse(recorded.updatedAt) < SEARCH_SETTLED_MS;
    let jiraKey = request?.jiraKey ?? (await findByLabel(deps, input.idempotencyKey, recentUnknown ? delays : []));
    let outcome: ActionItemTicketResult['outcome'] = jiraKey ? 'existing' : 'created';

    if (!jiraKey) {
      // The lease ran out unrenewed: another attempt may be creating it now.
      lease.signal.throwIfAborted();
      try {
        jiraKey = await createInJira(deps, incident, input);
      } catch (error) {
        // The reply was lost but the issue may exist: look once more before calling it failed.
        const outcomeUnknown = uncertain(error);
        const found = outcomeUnknown ? await findByLabel(deps, input.idempotencyKey, delays).catch(() => null) : null;
        if (!found) {
          deps.log?.('warn', 'action-item ticket not created', {
            incidentKey: incident.key,
            idempotencyKey: input.idempotencyKey,
            error: error instanceof Error ? error.message : String(error),
          });
          await store.updateTicketRequest(input.idempotencyKey, {
            // pending: Jira may have created it (the next attempt searches first); failed: Jira refused it.
            state: outcomeUnknown ? 'pending' : 'failed',
            error: error instanceof Error ? error.message : String(error),
            updatedAt: deps.now().toISOString(),
          });
          throw error;
        }
        jiraKey = found;
        outcome = 'created';
        deps.log?.('warn', "Jira's answer to a create was lost; found the ticket by its idempotency label", {
          incidentKey: incident.key,
          jiraKey,
        });
      }
      await store.updateTicketRequest(input.idempotencyKey, {
        jiraKey,
        error: null,
        updatedAt: deps.now().toISOString(),
      });
    }

    const ticket = await jira.getIssue(jiraKey);
    if (!ticket) throw new JiraError(`Jira created ${jiraKey} but does not show it`, 404);
    await attachToIncident(deps, incident, ticket, input.documentRef);
    await store.updateTicketRequest(input.idempotencyKey, {
      state: 'created',
      jiraKey,
      error: null,
      updatedAt: deps.now().toISOString(),
    });
    deps.log?.(
      'info',
      outcome === 'created' ? 'action-item ticket created' : 'action-item ticket found from an earlier attempt',
      { incidentKey: incident.key, jiraKey },
    );
    return { key: jiraKey, url: jira.browseUrl(jiraKey), outcome };
  } catch (error) {
    if (error instanceof JiraError) {
      const current = await store.getTicketRequest(input.idempotencyKey);
      if (current?.state === 'pending') {
        await store.updateTicketRequest(input.idempotencyKey, {
          error: error.message,
          updatedAt: deps.now().toISOString(),
        });
      }
    }
    throw error;
  } finally {
    await lease.release();
  }
}

async function createInJira(deps: TicketDeps, incident: Incident, input: ActionItemTicketInput): Promise<string> {
  const { jira, settings } = deps;
  const project = projectFor(incident, settings);
  const assignee = await resolveAssignee(jira, input.owner);
  const create = (assigneeAccountId: string | null) =>
    jira.createIssue({
      project,
      issueType: settings.actionItemIssueType,
      summary: input.summary,
      description: actionItemDescription({
        summary: input.summary,
        description: input.description,
        incidentKey: incident.key,
        incidentUrl: incidentUrl(incident, settings),
        documentRef: input.documentRef,
        unresolvedOwner: assigneeAccountId ? null : input.owner,
      }),
      labels: [settings.actionItemLabel, idempotencyLabel(input.idempotencyKey)],
      dueDate: input.dueDate,
      assigneeAccountId,
      properties: {
        [TICKET_PROPERTY_KEY]: {
          idempotencyKey: input.idempotencyKey,
          incidentKey: incident.key,
          documentRef: input.documentRef,
        },
      },
    });
  try {
    return (await create(assignee?.accountId ?? null)).key;
  } catch (error) {
    // A 400 about the assignee (not assignable in that project) created nothing: create it unassigned, owner kept as text.
    if (!(assignee && error instanceof JiraError && error.status === 400 && /assignee/i.test(error.message)))
      throw error;
    return (await create(null)).key;
  }
}
