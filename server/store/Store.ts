/**
 * The one storage interface. `EmbeddedStore` (NeDB files under DATA_DIR) and
 * `MongoStore` (mongoose) implement it and pass the same contract suite
 * (test/store/contract.test.ts). Nothing above this interface knows which database
 * it talks to: driver errors are translated inside each adapter.
 */
import type {
  ActionItem,
  DigestRecord,
  Incident,
  IsoDate,
  IsoInstant,
  Postmortem,
  SeverityKey,
  StatusCategory,
  SyncRun,
  SyncState,
  TicketRequest,
  UpsertCounts,
} from '../domain/types.js';

export type StoreKind = 'embedded' | 'mongodb';

export interface IncidentQuery {
  /** Place in time >= from (inclusive). */
  from?: IsoInstant;
  /** Place in time < to (exclusive). */
  to?: IsoInstant;
  /** Incidents whose services include this one. */
  service?: string;
  severity?: SeverityKey;
  keys?: string[];
  /** Jira-synced incidents, or those known only from an imported document. */
  source?: 'jira' | 'document';
}

export interface ActionItemQuery {
  incidentKeys?: string[];
  owner?: string;
  /** true: status category not done; false: done. */
  open?: boolean;
  statusCategory?: StatusCategory;
  /** Jira due date strictly before this date (with `open: true`, the Jira-dated overdue items). */
  dueBefore?: IsoDate;
  keys?: string[];
}

/** A page of a listing: `after` is the last key of the previous page. */
export interface Page {
  limit?: number;
  after?: string;
}

export interface StoreCounts {
  incidents: number;
  actionItems: number;
}

/**
 * The keys written since a data version (docs/benchmarks.md, "Where the time goes"): a
 * reader re-reads just these records; a key whose record is no longer found was deleted.
 */
export interface StoreChanges {
  /** The data version these changes bring a reader to. */
  version: number;
  incidentKeys: string[];
  actionItemKeys: string[];
}

/**
 * Every incident and action item, in no particular order. They may be the store's own
 * objects, carrying its own fields (such as `_id`): read only, and copy what you send.
 */
export interface StoreRecords {
  incidents: Incident[];
  actionItems: ActionItem[];
}

export interface Store {
  readonly kind: StoreKind;

  /** Insert or replace by `key`. Idempotent: the same documents again count as unchanged. */
  upsertIncidents(incidents: Incident[]): Promise<UpsertCounts>;
  upsertActionItems(items: ActionItem[]): Promise<UpsertCounts>;

  getIncident(key: string): Promise<Incident | null>;
  /** Sorted by place in time, then key. */
  findIncidents(query: IncidentQuery, page?: Page): Promise<Incident[]>;
  getActionItem(key: string): Promise<ActionItem | null>;
  /** Sorted by key. */
  findActionItems(query: ActionItemQuery, page?: Page): Promise<ActionItem[]>;
  counts(): Promise<StoreCounts>;

  /**
   * A number that changes whenever stored incidents, action items or post-mortems
   * change (and only then), so computed results can be cached per version.
   */
  dataVersion(): Promise<number>;

  /**
   * The incident and action-item keys written after `version` (by upserts, post-mortems
   * and deletions), or null when the store no longer knows (too old, or a gap): then
   * the reader loads everything again. Optional: without it, readers always reload.
   */
  changesSince?(version: number): Promise<StoreChanges | null>;

  /** All incidents and action items at once, faster than the sorted finds (optional). */
  allRecords?(): Promise<StoreRecords>;

  savePostmortem(postmortem: Postmortem): Promise<void>;
  getPostmortem(incidentKey: string): Promise<Postmortem | null>;

  getSyncState(name: string): Promise<SyncState | null>;
  /**
   * Sets the watermark only if the stored version still equals `expectedVersion`
   * (null: no state exists yet). Returns the new state, or null when it lost the race.
   */
  compareAndSetSyncState(
    name: string,
    expectedVersion: number | null,
    watermark: IsoInstant | null,
    now: Date,
  ): Promise<SyncState | null>;
  recordSyncRun(run: SyncRun): Promise<void>;
  lastSyncRun(): Promise<SyncRun | null>;

  /**
   * Takes (or renews, for the same holder) the named lease until now + ttlMs.
   * Returns false while another holder's lease has not expired.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  /** Claims the week; returns null when the week already has a record (claimed by anyone). */
  claimDigest(week: string, holder: string, now: Date, manual: boolean): Promise<DigestRecord | null>;
  updateDigest(week: string, patch: Partial<Omit<DigestRecord, 'week'>>): Promise<DigestRecord>;
  getDigest(week: string): Promise<DigestRecord | null>;
  /** Newest week first. */
  listDigests(limit: number): Promise<DigestRecord[]>;

  /** Records a ticket request; returns null when the idempotency key is already recorded. */
  createTicketRequest(request: TicketRequest): Promise<TicketRequest | null>;
  updateTicketRequest(
    idempotencyKey: string,
    patch: Partial<Omit<TicketRequest, 'idempotencyKey'>>,
  ): Promise<TicketRequest>;
  getTicketRequest(idempotencyKey: string): Promise<TicketRequest | null>;

  close(): Promise<void>;
}
