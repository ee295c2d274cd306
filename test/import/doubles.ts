/**
 * Test doubles for the ticket flow: a Jira that remembers what was written to it and can
 * fail at a chosen point (before acting, or after acting but before answering), and the
 * few store methods the flow uses, in memory.
 */
import type { ActionItem, Incident, Postmortem, TicketRequest, UpsertCounts } from '../../server/domain/types.js';
import { JiraError } from '../../server/errors.js';
import type { JiraTicket, JiraTicketWriter, JiraUserMatch, NewJiraTicket } from '../../server/jira/tickets.js';
import type { Store } from '../../server/store/Store.js';

type Operation = 'findByLabel' | 'createIssue' | 'getIssue' | 'linkIssues' | 'findUsers';
interface Fault {
  operation: Operation;
  /** `before`: fails without acting; `after`: acts, then fails (a lost reply). */
  when: 'before' | 'after';
  status: number | null;
}

export interface StoredIssue extends NewJiraTicket {
  id: string;
  key: string;
  links: string[];
  status: string;
  assignee: string | null;
}

export class FakeJira implements JiraTicketWriter {
  issues: StoredIssue[] = [];
  calls: Array<{ operation: Operation; args: unknown[] }> = [];
  users: Array<JiraUserMatch & { email?: string }> = [];
  private faults: Fault[] = [];
  /** Issues the label search does not see yet (search is eventually consistent). */
  hiddenFromSearch = new Set<string>();
  private nextId = 10_000;

  /** The next call of `operation` fails. */
  fail(operation: Operation, when: 'before' | 'after', status: number | null = 503): void {
    this.faults.push({ operation, when, status });
  }

  /** An issue that exists before the test (a ticket someone filed by hand). */
  seed(key: string, fields: Partial<StoredIssue> = {}): StoredIssue {
    const issue: StoredIssue = {
      id: String(this.nextId++),
      key,
      project: key.replace(/-\d+$/, ''),
      issueType: 'Task',
      summary: 'Seeded issue',
      description: { type: 'doc', version: 1, content: [] },
      labels: [],
      dueDate: null,
      assigneeAccountId: null,
      properties: {},
      links: [],
      status: 'To Do',
      assignee: null,
      ...fields,
    };
    this.issues.push(issue);
    return issue;
  }

  writes(): Array<{ operation: Operation; args: unknown[] }> {
    return this.calls.filter((c) => c.operation === 'createIssue' || c.operation === 'linkIssues');
  }

  private async run<T>(operation: Operation, args: unknown[], act: () => T): Promise<T> {
    this.calls.push({ operation, args });
    const index = this.faults.findIndex((f) => f.operation === operation);
    const fault = index >= 0 ? this.faults.splice(index, 1)[0] : undefined;
    if (fault?.when === 'before') throw new JiraError(`${operation}: Jira answered ${fault.status}`, fault.status);
    const result = act();
    if (fault?.when === 'after') throw new JiraError(`${operation}: Jira answered ${fault.status} after acting`, fault.status);
    return result;
  }

  findByLabel(label: string) {
    return this.run('findByLabel', [label], () =>
      this.issues.filter((i) => i.labels.includes(label) && !this.hiddenFromSearch.has(i.key)).map((i) => ({ id: i.id, key: i.key })),
    );
  }

  createIssue(ticket: NewJiraTicket) {
    return this.run('createIssue', [ticket], () => {
      const count = this.issues.filter((i) => i.project === ticket.project).length;
      const user = this.users.find((u) => u.accountId === ticket.assigneeAccountId);
      const issue: StoredIssue = { ...ticket, id: String(this.nextId++), key: `${ticket.project}-${count + 1}`, links: [], status: 'To Do', assignee: user?.displayName ?? null };
      this.issues.push(issue);
      return { id: issue.id, key: issue.key };
    });
  }

  getIssue(key: string) {
    return this.run('getIssue', [key], (): JiraTicket | null => {
      const issue = this.issues.find((i) => i.key === key);
      if (!issue) return null;
      return {
        id: issue.id,
        key: issue.key,
        summary: issue.summary,
        status: issue.status,
        statusCategory: issue.status === 'Done' ? 'done' : 'new',
        assignee: issue.assignee,
        dueDate: issue.dueDate,
        labels: issue.labels,
        created: '2026-11-27T09:00:00.000+0000',
        updated: '2026-11-27T09:00:00.000+0000',
        linkedKeys: issue.links,
      };
    });
  }

  linkIssues(incidentKey: string, itemKey: string) {
    return this.run('linkIssues', [incidentKey, itemKey], () => {
      this.issues.find((i) => i.key === itemKey)?.links.push(incidentKey);
    });
  }

  findUsers(query: string) {
    return this.run('findUsers', [query], () =>
      this.users
        .filter((u) => u.displayName.toLowerCase().includes(query.toLowerCase()) || u.email === query)
        .map(({ accountId, displayName }) => ({ accountId, displayName })),
    );
  }

  async setIssueProperty(key: string, propertyKey: string, value: Record<string, unknown>) {
    const issue = this.issues.find((i) => i.key === key);
    if (issue) issue.properties[propertyKey] = value;
  }

  async getIssueProperty(key: string, propertyKey: string) {
    return this.issues.find((i) => i.key === key)?.properties[propertyKey] ?? null;
  }

  browseUrl(key: string): string {
    return `https://jira.test/browse/${key}`;
  }
}

/** The store methods the ticket flow uses, in memory; any other method throws. */
export class MemoryStore {
  incidents = new Map<string, Incident>();
  actionItems = new Map<string, ActionItem>();
  postmortems = new Map<string, Postmortem>();
  requests = new Map<string, TicketRequest>();
  leases = new Map<string, { holder: string; expiresAt: number }>();
  /** The next `updateTicketRequest` throws (a crash between Jira's reply and the store write). */
  failNextRequestUpdate = false;

  asStore(): Store {
    return new Proxy(this, {
      get(target, property) {
        const value = (target as unknown as Record<string | symbol, unknown>)[property];
        if (value === undefined && typeof property === 'string') {
          return () => {
            throw new Error(`MemoryStore.${property} is not implemented`);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as unknown as Store;
  }

  readonly kind = 'embedded';

  async upsertIncidents(incidents: Incident[]): Promise<UpsertCounts> {
    for (const incident of incidents) this.incidents.set(incident.key, structuredClone(incident));
    return { inserted: incidents.length, updated: 0, unchanged: 0 };
  }
  async upsertActionItems(items: ActionItem[]): Promise<UpsertCounts> {
    for (const item of items) this.actionItems.set(item.key, structuredClone(item));
    return { inserted: items.length, updated: 0, unchanged: 0 };
  }
  async getIncident(key: string) {
    return structuredClone(this.incidents.get(key) ?? null);
  }
  async getActionItem(key: string) {
    return structuredClone(this.actionItems.get(key) ?? null);
  }
  async savePostmortem(postmortem: Postmortem) {
    this.postmortems.set(postmortem.incidentKey, structuredClone(postmortem));
  }
  async getPostmortem(key: string) {
    return structuredClone(this.postmortems.get(key) ?? null);
  }
  async createTicketRequest(request: TicketRequest) {
    if (this.requests.has(request.idempotencyKey)) return null;
    this.requests.set(request.idempotencyKey, structuredClone(request));
    return structuredClone(request);
  }
  async updateTicketRequest(key: string, patch: Partial<TicketRequest>) {
    if (this.failNextRequestUpdate) {
      this.failNextRequestUpdate = false;
      throw new Error('store went away');
    }
    const current = this.requests.get(key);
    if (!current) throw new Error(`no ticket request ${key}`);
    const updated = { ...current, ...patch };
    this.requests.set(key, updated);
    return structuredClone(updated);
  }
  async getTicketRequest(key: string) {
    return structuredClone(this.requests.get(key) ?? null);
  }
  async acquireLease(name: string, holder: string, ttlMs: number, now: Date) {
    const lease = this.leases.get(name);
    if (lease && lease.holder !== holder && lease.expiresAt > now.getTime()) return false;
    this.leases.set(name, { holder, expiresAt: now.getTime() + ttlMs });
    return true;
  }
  async releaseLease(name: string, holder: string) {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }
}

export function jiraIncident(key: string, fields: Partial<Incident> = {}): Incident {
  return {
    key,
    jiraId: '20001',
    source: 'jira',
    summary: `Incident ${key}`,
    url: `https://jira.test/browse/${key}`,
    status: 'Resolved',
    statusCategory: 'done',
    severity: 'P1',
    services: ['checkout'],
    detectionMethod: 'Monitoring alert',
    detection: 'automated',
    commander: null,
    startedAt: '2026-11-03T14:05:00.000Z',
    detectedAt: '2026-11-03T14:09:00.000Z',
    acknowledgedAt: '2026-11-03T14:12:00.000Z',
    resolvedAt: '2026-11-03T16:20:00.000Z',
    endedAt: '2026-11-03T16:20:00.000Z',
    createdAt: '2026-11-03T14:09:00.000Z',
    updatedAt: '2026-11-03T16:20:00.000Z',
    placeAt: '2026-11-03T14:05:00.000Z',
    timeline: [],
    readProblems: [],
    ...fields,
  };
}
