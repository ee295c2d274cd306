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
  IsoInstant,
  Lease,
  Postmortem,
  SyncRun,
  SyncState,
  TicketRequest,
  UpsertCounts,
} from '../domain/types.js';

export type StoreKind = 'embedded' | 'mongodb';

/**
 * What the callers filter on: the metrics re-read the keys a change named, the sync
 * tells Jira-synced incidents from document-only ones. Everything else is filtered in
 * memory by the readers, which load every record (see `allRecords`).
 */
export interface IncidentQuery {
  keys?: string[];
  /** Jira-synced incidents, or those known only from an imported document. */
  source?: 'jira' | 'document';
}

export interface ActionItemQuery {
  keys?: string[];
  /** true: status category not done; false: done. */
  open?: boolean;
}

export interface FindOptions {
  /** At most this many, the first in the listing's order. */
  limit?: number;
}

export interface StoreCounts {
  incidents: number;
  actionItems: number;
}

/**
 * A Jira webhook delivery waiting in the store's queue (docs/webhooks.md). `id` is Jira's
 * X-Atlassian-Webhook-Identifier, stable across retries: a second copy is not queued.
 */
export interface WebhookDelivery {
  id: string;
  event: string;
  /** The issues the delivery names (an issue event one, a link event two; link events carry no keys). */
  issues: WebhookIssueRef[];
  receivedAt: IsoInstant;
  state: 'pending' | 'claimed' | 'done';
  /** The replica's worker that claimed it, until `claimedUntil`; then anyone may take it again. */
  holder: string | null;
  claimedUntil: IsoInstant | null;
  attempts: number;
  lastError: string | null;
}

export interface WebhookIssueRef {
  id: string;
  key: string | null;
}

/** What deleting incidents did: action items that pointed at them now have `incidentKey: null`. */
export interface DeletedIncidents {
  deleted: number;
  detachedActionItems: string[];
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
  findIncidents(query: IncidentQuery, options?: FindOptions): Promise<Incident[]>;
  getActionItem(key: string): Promise<ActionItem | null>;
  /** Sorted by key. */
  findActionItems(query: ActionItemQuery, options?: FindOptions): Promise<ActionItem[]>;
  counts(): Promise<StoreCounts>;

  /**
   * A number that changes whenever stored incidents, action items or post-mortems
   * change (and only then), so computed results can be cached per version.
   */
  dataVersion(): Promise<number>;

  /**
   * The incident and action-item keys written after `version` (by upserts, post-mortems
   * and deletions), or null when the store no longer knows (too old, or a gap): then
   * the reader loads everything again. Every key written is named; MongoDB also names
   * the other keys of a batch that wrote (it cannot tell which of them changed).
   */
  changesSince(version: number): Promise<StoreChanges | null>;

  /** All incidents and action items at once, faster than the sorted finds. */
  allRecords(): Promise<StoreRecords>;

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
   * Returns false while another holder's lease has not expired. `now` is the caller's
   * clock; a store shared by several hosts (MongoDB) uses its server's clock instead.
   *
   * Lease semantics every store keeps (callers go through server/leases/holder.ts):
   * - `holder` identifies one attempt (`host/pid/uuid`, fresh per attempt), never a
   *   process alone: renewing is allowed to the same holder only, so two attempts of one
   *   process exclude each other exactly as two replicas do.
   * - Of simultaneous calls for a free or expired lease, exactly one gets true.
   * - ttlMs is at most 60 s; the holder renews while its work runs and stops the work
   *   when a renewal returns false.
   * - EmbeddedStore (one process per DATA_DIR) also ends, when it opens, every lease of
   *   the process that had the directory before: that process is gone.
   */
  acquireLease(name: string, holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Gives the lease up if `holder` still has it (no effect otherwise). */
  releaseLease(name: string, holder: string): Promise<void>;
  /** The named lease as stored (possibly expired), or null; for refusals that name the holder. */
  getLease(name: string): Promise<Lease | null>;

  /** Claims the week; returns null when the week already has a record (claimed by anyone). */
  claimDigest(week: string, holder: string, now: Date, manual: boolean): Promise<DigestRecord | null>;
  /**
   * Patches the week's record. With `expected`, only while the stored record still has
   * those values (compare-and-set): otherwise a ConflictError, and nothing is written.
   */
  updateDigest(
    week: string,
    patch: Partial<Omit<DigestRecord, 'week'>>,
    expected?: Partial<DigestRecord>,
  ): Promise<DigestRecord>;
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

  /**
   * Removes incidents (and their post-mortems); action items that belonged to them get
   * `incidentKey: null`. Keys not stored are ignored. Changes the data version when anything changed.
   */
  deleteIncidents(keys: string[]): Promise<DeletedIncidents>;
  /** Removes action items; returns how many were stored. */
  deleteActionItems(keys: string[]): Promise<number>;

  /** Queues a delivery as pending; false when its id is already recorded (a duplicate). */
  enqueueWebhookDelivery(delivery: Pick<WebhookDelivery, 'id' | 'event' | 'issues' | 'receivedAt'>): Promise<boolean>;
  /**
   * Claims up to `limit` deliveries that are pending, or claimed with an expired claim,
   * oldest first, for `holder` until now + leaseMs. Each delivery goes to exactly one of
   * several concurrent callers (compare-and-set per delivery).
   */
  claimWebhookDeliveries(holder: string, limit: number, now: Date, leaseMs: number): Promise<WebhookDelivery[]>;
  /**
   * Ends the holder's claim: `error` null marks the deliveries done (kept for deduplication);
   * otherwise they go back to pending with the error recorded and `attempts` counted.
   */
  finishWebhookDeliveries(ids: string[], holder: string, error: string | null): Promise<void>;
  /** Forgets done deliveries received before `before`; returns how many. */
  pruneWebhookDeliveries(before: Date): Promise<number>;

  close(): Promise<void>;
}
