/**
 * The domain model, shared by the server and the Teams tab (the tab imports these
 * types with `import type`, never server code). Every field of the post-mortem
 * template (docs/postmortem-template.md) has a home here: what Jira can supply lives on
 * Incident and ActionItem (synced); what only the written document knows lives on
 * Postmortem (imported), kept apart so a sync never overwrites what a person wrote.
 *
 * Times are ISO-8601 UTC instants (`2026-11-02T09:30:00.000Z`, always the 24-character
 * form of Date#toISOString so that they sort as strings); calendar dates are
 * `YYYY-MM-DD`; durations are seconds.
 */

export const SEVERITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** The key an incident counts under: its severity, or `unknown` when unmapped or empty. */
export type SeverityKey = Severity | 'unknown';

export const DETECTION_CATEGORIES = ['automated', 'customer', 'internal', 'unknown'] as const;
export type DetectionCategory = (typeof DETECTION_CATEGORIES)[number];

/** Jira's status category keys: To Do, In Progress, Done. */
export type StatusCategory = 'new' | 'indeterminate' | 'done';

/** An ISO-8601 UTC instant, as produced by Date#toISOString. */
export type IsoInstant = string;
/** A calendar date, `YYYY-MM-DD`. */
export type IsoDate = string;

/** One row of a response timeline: from the Jira changelog, or from an imported document. */
export interface TimelineEvent {
  at: IsoInstant | null;
  event: string;
  owner: string | null;
  source: 'jira' | 'document';
}

/** A field of a Jira issue that could not be read; the point it feeds stays missing. */
export interface FieldReadProblem {
  field: string;
  reason: string;
}

/** The five time points of an incident. Missing points are null: nothing is invented. */
export interface IncidentTimes {
  startedAt: IsoInstant | null;
  detectedAt: IsoInstant | null;
  acknowledgedAt: IsoInstant | null;
  resolvedAt: IsoInstant | null;
  endedAt: IsoInstant | null;
}

export interface Incident extends IncidentTimes {
  /** Jira issue key (`OPS-123`), or the document's Incident ID for a document-only incident. */
  key: string;
  /** Jira's numeric issue id; null for a document-only incident. */
  jiraId: string | null;
  source: 'jira' | 'document';
  summary: string;
  /** Browse link to the Jira issue; null for a document-only incident. */
  url: string | null;
  status: string;
  statusCategory: StatusCategory;
  severity: Severity | null;
  services: string[];
  /** Raw text of the detection field, before `detectionMap`. */
  detectionMethod: string | null;
  detection: DetectionCategory;
  commander: string | null;
  createdAt: IsoInstant;
  updatedAt: IsoInstant;
  /**
   * The incident's place in time (for ranges and weeks): startedAt, else createdAt.
   * Derived; the stores recompute it on every write so it can never disagree.
   */
  placeAt: IsoInstant;
  /** Timeline from the Jira changelog (status changes and the like), oldest first. */
  timeline: TimelineEvent[];
  readProblems: FieldReadProblem[];
}

export interface ActionItem {
  key: string;
  jiraId: string | null;
  summary: string;
  /** The incident it belongs to (parent wins, else the first incident link); null if none. */
  incidentKey: string | null;
  owner: string | null;
  status: string;
  statusCategory: StatusCategory;
  /** Jira's `duedate`. The effective due date (with the SLA fallback) is derived at read time. */
  jiraDueDate: IsoDate | null;
  createdAt: IsoInstant;
  updatedAt: IsoInstant;
  /** When it was done: `resolutiondate`, else the first changelog move into Done; null while open. */
  resolvedAt: IsoInstant | null;
  url: string | null;
  labels: string[];
  /** The post-mortem document's own reference for this item (`INC-123-1`), when it came from one. */
  documentRef: string | null;
  readProblems: FieldReadProblem[];
}

/** What the API returns for an action item: the stored item plus its derived due date. */
export interface ActionItemView extends Omit<ActionItem, 'jiraDueDate'> {
  dueDate: IsoDate | null;
  dueDateSource: 'jira' | 'sla' | null;
  /** Whole days past the due date while open and overdue; null otherwise. */
  daysOverdue: number | null;
}

export interface PostmortemLink {
  label: string;
  url: string | null;
}

/** One row of the document's action-item table, as written. */
export interface PostmortemActionRow {
  /** The document's ID column (`INC-123-1`), or a Jira key when the row names an existing ticket. */
  ref: string | null;
  /** The Jira ticket for this row, once created or recognised. */
  jiraKey: string | null;
  description: string;
  owner: string | null;
  dueDate: IsoDate | null;
  status: string | null;
}

/** What a filled-in post-mortem document says, section by section. */
export interface Postmortem {
  incidentKey: string;
  title: string | null;
  summary: {
    incidentId: string | null;
    startedAt: IsoInstant | null;
    endedAt: IsoInstant | null;
    durationSeconds: number | null;
    services: string[];
    severity: Severity | null;
    impact: string | null;
    commander: string | null;
    responders: string[];
  };
  detection: {
    method: string | null;
    timeToDetectSeconds: number | null;
    effective: string | null;
  };
  timeline: TimelineEvent[];
  timeToAcknowledgeSeconds: number | null;
  timeToResolveSeconds: number | null;
  rootCause: {
    immediateCause: string | null;
    contributingFactors: string[];
    fiveWhys: string[];
  };
  resolution: {
    how: string | null;
    effective: string | null;
  };
  lessons: {
    wentWell: string[];
    couldBeBetter: string[];
  };
  actionItems: PostmortemActionRow[];
  links: PostmortemLink[];
  importedAt: IsoInstant;
}

/** Inserted / updated / unchanged counts of one bulk upsert. */
export interface UpsertCounts {
  inserted: number;
  updated: number;
  unchanged: number;
}

/** The incremental-sync watermark of one query, guarded by a version for compare-and-set. */
export interface SyncState {
  name: string;
  /** Newest `updated` actually seen and committed; null before the first run. */
  watermark: IsoInstant | null;
  version: number;
  updatedAt: IsoInstant;
}

/** The record of one sync run, shown by `/api/health` as `lastSync`. */
export interface SyncRun {
  startedAt: IsoInstant;
  finishedAt: IsoInstant;
  ok: boolean;
  full: boolean;
  incidents: UpsertCounts;
  actionItems: UpsertCounts;
  requests: number;
  retries: number;
  problems: Array<{ key: string; field: string; reason: string }>;
  error: string | null;
  /** Records removed by the id reconciliation that followed this run (daily, and with `--full`). */
  removed?: number;
}

/** A named lock with an expiry, so two processes never run the same job at once. */
export interface Lease {
  name: string;
  holder: string;
  expiresAt: IsoInstant;
}

export type DigestState = 'claimed' | 'posted' | 'failed' | 'uncertain';

/** One week's digest; `week` (ISO week, `2026-W47`) is unique, which is what makes it post once. */
export interface DigestRecord {
  week: string;
  state: DigestState;
  holder: string;
  claimedAt: IsoInstant;
  postedAt: IsoInstant | null;
  attempts: number;
  lastError: string | null;
  manual: boolean;
}

export type TicketRequestState = 'pending' | 'created' | 'failed';

/**
 * A request to create a Jira ticket for an action item, recorded before Jira is called,
 * keyed by an idempotency key that is also written on the Jira issue, so a retry finds
 * the ticket instead of creating a second one.
 */
export interface TicketRequest {
  idempotencyKey: string;
  incidentKey: string;
  state: TicketRequestState;
  jiraKey: string | null;
  summary: string;
  owner: string | null;
  dueDate: IsoDate | null;
  description: string | null;
  documentRef: string | null;
  error: string | null;
  createdAt: IsoInstant;
  updatedAt: IsoInstant;
}
