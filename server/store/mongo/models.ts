/**
 * Mongoose schemas and indexes. Times are stored as the same ISO-8601 UTC strings the
 * domain uses (they sort correctly as strings), so both stores share one filter builder.
 * Nested parts the product only stores and returns (timelines, post-mortem sections)
 * are validated as whole documents before they reach the store and kept as Mixed here.
 */
import { Schema, type Connection, type Model } from 'mongoose';
import { SEVERITIES } from '../../domain/types.js';
import { changeSchema } from './changes.js';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const STATUS_CATEGORIES = ['new', 'indeterminate', 'done'];

const instant = { type: String, match: ISO_INSTANT };
const requiredInstant = { type: String, match: ISO_INSTANT, required: true };
const nullableInstant = { type: String, match: ISO_INSTANT, default: null };
const options = { versionKey: false as const, strict: 'throw' as const, minimize: false };

export const incidentSchema = new Schema(
  {
    key: { type: String, required: true },
    jiraId: { type: String, default: null },
    source: { type: String, enum: ['jira', 'document'], required: true },
    summary: { type: String, default: '' },
    url: { type: String, default: null },
    // '' when Jira sent no status (the sync records a read problem for it).
    status: { type: String, default: '' },
    statusCategory: { type: String, enum: STATUS_CATEGORIES, required: true },
    severity: { type: String, enum: [...SEVERITIES, null], default: null },
    services: { type: [String], default: [] },
    detectionMethod: { type: String, default: null },
    detection: { type: String, enum: ['automated', 'customer', 'internal', 'unknown'], required: true },
    commander: { type: String, default: null },
    createdAt: requiredInstant,
    updatedAt: requiredInstant,
    placeAt: requiredInstant,
    startedAt: nullableInstant,
    detectedAt: nullableInstant,
    acknowledgedAt: nullableInstant,
    resolvedAt: nullableInstant,
    endedAt: nullableInstant,
    timeline: { type: [Schema.Types.Mixed], default: [] },
    readProblems: { type: [Schema.Types.Mixed], default: [] },
  },
  { ...options, collection: 'incidents' },
);
incidentSchema.index({ key: 1 }, { unique: true });
incidentSchema.index({ placeAt: 1, key: 1 });

export const actionItemSchema = new Schema(
  {
    key: { type: String, required: true },
    jiraId: { type: String, default: null },
    summary: { type: String, default: '' },
    incidentKey: { type: String, default: null },
    owner: { type: String, default: null },
    // '' when Jira sent no status (the sync records a read problem for it).
    status: { type: String, default: '' },
    statusCategory: { type: String, enum: STATUS_CATEGORIES, required: true },
    jiraDueDate: { type: String, match: ISO_DATE, default: null },
    createdAt: requiredInstant,
    updatedAt: requiredInstant,
    resolvedAt: nullableInstant,
    url: { type: String, default: null },
    labels: { type: [String], default: [] },
    documentRef: { type: String, default: null },
    readProblems: { type: [Schema.Types.Mixed], default: [] },
  },
  { ...options, collection: 'actionItems' },
);
actionItemSchema.index({ key: 1 }, { unique: true });
actionItemSchema.index({ incidentKey: 1 });

export const postmortemSchema = new Schema(
  { incidentKey: { type: String, required: true }, importedAt: instant },
  { ...options, strict: false, collection: 'postmortems' },
);
postmortemSchema.index({ incidentKey: 1 }, { unique: true });

export const syncStateSchema = new Schema(
  {
    name: { type: String, required: true },
    watermark: nullableInstant,
    version: { type: Number, required: true },
    updatedAt: requiredInstant,
  },
  { ...options, collection: 'syncStates' },
);
syncStateSchema.index({ name: 1 }, { unique: true });

export const syncRunSchema = new Schema(
  { startedAt: requiredInstant, finishedAt: requiredInstant, ok: { type: Boolean, required: true } },
  { ...options, strict: false, collection: 'syncRuns' },
);
syncRunSchema.index({ finishedAt: -1, _id: -1 });

export const leaseSchema = new Schema(
  // expiresAt is a BSON date set by the server's clock (see leaseUpsert), so a TTL index can remove it.
  {
    name: { type: String, required: true },
    holder: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { ...options, collection: 'leases' },
);
leaseSchema.index({ name: 1 }, { unique: true });
// The TTL monitor (every 60 s) deletes leases that expired: no dead holder's lease stays behind.
leaseSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export const digestSchema = new Schema(
  {
    week: { type: String, required: true, match: /^\d{4}-W\d{2}$/ },
    state: { type: String, enum: ['claimed', 'posted', 'failed', 'uncertain'], required: true },
    holder: { type: String, required: true },
    claimedAt: requiredInstant,
    postedAt: nullableInstant,
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
    manual: { type: Boolean, default: false },
  },
  { ...options, collection: 'digests' },
);
digestSchema.index({ week: 1 }, { unique: true });

export const ticketRequestSchema = new Schema(
  {
    idempotencyKey: { type: String, required: true },
    incidentKey: { type: String, required: true },
    state: { type: String, enum: ['pending', 'created', 'failed'], required: true },
    jiraKey: { type: String, default: null },
    summary: { type: String, required: true },
    owner: { type: String, default: null },
    dueDate: { type: String, match: ISO_DATE, default: null },
    description: { type: String, default: null },
    documentRef: { type: String, default: null },
    error: { type: String, default: null },
    createdAt: requiredInstant,
    updatedAt: requiredInstant,
  },
  { ...options, collection: 'ticketRequests' },
);
ticketRequestSchema.index({ idempotencyKey: 1 }, { unique: true });

export const metaSchema = new Schema(
  // pending: writes under way (token -> server time they began); see MongoStore.dataVersion.
  {
    _id: { type: String, required: true },
    value: { type: Number, default: 0 },
    pending: { type: Schema.Types.Mixed, default: {} },
  },
  { ...options, collection: 'meta' },
);

export const webhookDeliverySchema = new Schema(
  {
    id: { type: String, required: true },
    event: { type: String, required: true },
    issues: { type: [Schema.Types.Mixed], default: [] },
    receivedAt: requiredInstant,
    state: { type: String, enum: ['pending', 'claimed', 'done'], required: true },
    holder: { type: String, default: null },
    claimedUntil: nullableInstant,
    attempts: { type: Number, default: 0 },
    lastError: { type: String, default: null },
  },
  { ...options, collection: 'webhookDeliveries' },
);
webhookDeliverySchema.index({ id: 1 }, { unique: true });
webhookDeliverySchema.index({ state: 1, receivedAt: 1 });

// The adapter reads and writes plain domain objects (lean), so models are used untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModel = Model<any, any, any, any, any, any, any>;

export interface Models {
  incidents: AnyModel;
  actionItems: AnyModel;
  postmortems: AnyModel;
  syncStates: AnyModel;
  syncRuns: AnyModel;
  leases: AnyModel;
  digests: AnyModel;
  ticketRequests: AnyModel;
  meta: AnyModel;
  webhookDeliveries: AnyModel;
  changes: AnyModel;
}

export function buildModels(connection: Connection): Models {
  return {
    incidents: connection.model('Incident', incidentSchema),
    actionItems: connection.model('ActionItem', actionItemSchema),
    postmortems: connection.model('Postmortem', postmortemSchema),
    syncStates: connection.model('SyncState', syncStateSchema),
    syncRuns: connection.model('SyncRun', syncRunSchema),
    leases: connection.model('Lease', leaseSchema),
    digests: connection.model('Digest', digestSchema),
    ticketRequests: connection.model('TicketRequest', ticketRequestSchema),
    meta: connection.model('Meta', metaSchema),
    webhookDeliveries: connection.model('WebhookDelivery', webhookDeliverySchema),
    changes: connection.model('Change', changeSchema),
  };
}
