/**
 * Test doubles for the ticket flow: a Jira that remembers what was written to it and can
 * fail at a chosen point (before acting, or after acting but before answering), and a real
 * embedded store that can fail one write.
 */
import { rmSync } from 'node:fs';
import type { Incident } from '../../server/domain/types.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { tempDir } from '../support/stores.js';
import { JiraError } from '../../server/errors.js';
import type { JiraTicket, JiraTicketWriter, JiraUserMatch, NewJiraTicket } from '../../server/jira/tickets.js';
import type { Store } from '../../server/store/Store.js';

type Operation = 'findByLabel' | 'createIssue' | 'getIssue' | 'linkIssues' | 'findUsers';
interface Fault {
  operation: Operation;
  /** `before`: fails without acting; `after`: acts, then fails (a lost reply). */
  when: 'before' | 'after';
  status: number | null;
  message?: string;
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
  /** While set, createIssue waits for it before acting (to hold a request in flight). */
  createGate: Promise<void> | null = null;

  /** The next call of `operation` fails. */
  fail(operation: Operation, when: 'before' | 'after', status: number | null = 503, message?: string): void {
    this.faults.push({ operation, when, status, ...(message ? { message } : {}) });
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
    if (fault?.when === 'before')
      throw new JiraError(fault.message ?? `${operation}: Jira answered ${fault.status}`, fault.status);
    if (operation === 'createIssue' && this.createGate) await this.createGate;
    const result = act();
    if (fault?.when === 'after')
      throw new JiraError(`${operation}: Jira answered ${fault.status} after acting`, fault.status);
    return result;
  }

  findByLabel(label: string) {
    return this.run('findByLabel', [label], () =>
      this.issues
        .filter((i) => i.labels.includes(label) && !this.hiddenFromSearch.has(i.key))
        .map((i) => ({ id: i.id, key: i.key })),
    );
  }

  createIssue(ticket: NewJiraTicket) {
    return this.run('createIssue', [ticket], () => {
      const count = this.issues.filter((i) => i.project === ticket.project).length;
      const user = this.users.find((u) => u.accountId === ticket.assigneeAccountId);
      const issue: StoredIssue = {
        ...ticket,
        id: String(this.nextId++),
        key: `${ticket.project}-${count + 1}`,
        links: [],
        status: 'To Do',
        assignee: user?.displayName ?? null,
      };
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

export interface TestStore {
  store: Store;
  /** The next `updateTicketRequest` throws (a crash between Jira's reply and the store write). */
  failNextRequestUpdate(): void;
  cleanup(): Promise<void>;
}

/** A real embedded store in a temp directory, with one fault that can be switched on. */
export async function openTestStore(): Promise<TestStore> {
  const dir = tempDir('pmi-import-');
  const embedded = await EmbeddedStore.create(dir);
  let failUpdate = false;
  const store = new Proxy(embedded, {
    get(target, property, receiver) {
      if (property === 'updateTicketRequest' && failUpdate) {
        failUpdate = false;
        return async () => {
          throw new Error('store went away');
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Store;
  return {
    store,
    failNextRequestUpdate: () => {
      failUpdate = true;
    },
    cleanup: async () => {
      await embedded.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
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
