/**
 * One set of rules for what a stored record may look like, applied by both stores before
 * they write: the mongoose schemas (./mongo/models.ts). A document that breaks them is
 * refused loudly, and the rest of its batch is still written. Patches are checked by
 * mongoose itself, on an instance that never connects.
 */
import mongoose from 'mongoose';
import { InputError } from '../errors.js';
import {
  actionItemSchema,
  digestSchema,
  incidentSchema,
  postmortemSchema,
  syncRunSchema,
  syncStateSchema,
  ticketRequestSchema,
  webhookDeliverySchema,
} from './mongo/models.js';

const detached = new mongoose.Mongoose();
const MODELS = {
  incident: detached.model('Incident', incidentSchema),
  'action item': detached.model('ActionItem', actionItemSchema),
  digest: detached.model('Digest', digestSchema),
  'ticket request': detached.model('TicketRequest', ticketRequestSchema),
  'post-mortem': detached.model('Postmortem', postmortemSchema),
  'sync state': detached.model('SyncState', syncStateSchema),
  'sync run': detached.model('SyncRun', syncRunSchema),
  'webhook delivery': detached.model('WebhookDelivery', webhookDeliverySchema),
};
export type DocumentKind = 'incident' | 'action item';
export type RecordKind = keyof typeof MODELS;

export interface Refusal {
  key: string;
  field: string;
  reason: string;
}

/** The first problem of a mongoose validation error, as field and reason. */
function firstProblem(err: unknown): { field: string; reason: string } {
  const e = err as { path?: string; message?: string; errors?: Record<string, { message: string }> };
  if (e.errors) {
    const [field, first] = Object.entries(e.errors)[0]!;
    return { field, reason: first.message };
  }
  // strict: 'throw' refuses unknown fields in the constructor.
  return { field: e.path ?? '*', reason: e.message ?? String(err) };
}

/**
 * A schema's rules for flat documents, read once from the schema itself (types, required,
 * enum, match), so a batch of thousands is checked in microseconds per document; mongoose's
 * own validation (about a hundred times slower) stays the authority on MongoDB's writes,
 * and test/store/validation.test.ts holds the two to the same answers.
 */
interface Rule {
  path: string;
  type: string;
  itemType: string | null;
  required: boolean;
  enumValues: unknown[] | null;
  match: RegExp | null;
}

function rulesOf(schema: mongoose.Schema): Map<string, Rule> {
  const rules = new Map<string, Rule>();
  for (const [path, type] of Object.entries(schema.paths)) {
    if (path === '_id') continue;
    const t = type as unknown as {
      instance: string;
      isRequired?: boolean;
      enumValues?: unknown[];
      validators: Array<{ type: string; regexp?: RegExp }>;
      embeddedSchemaType?: { instance: string };
    };
    rules.set(path, {
      path,
      type: t.instance,
      itemType: t.embeddedSchemaType?.instance ?? null,
      required: t.isRequired === true,
      enumValues: t.enumValues !== undefined && t.enumValues.length > 0 ? t.enumValues : null,
      match: t.validators.find((v) => v.type === 'regexp')?.regexp ?? null,
    });
  }
  return rules;
}

const RULES: Record<DocumentKind, Map<string, Rule>> = {
  incident: rulesOf(incidentSchema),
  'action item': rulesOf(actionItemSchema),
};

function problemOf(rule: Rule, value: unknown): string | null {
  if (value === undefined || value === null || (rule.type === 'String' && value === '' && rule.required)) {
    return rule.required ? `Path \`${rule.path}\` is required.` : null;
  }
  switch (rule.type) {
    case 'String':
      if (typeof value !== 'string')
        return `Cast to string failed for value ${JSON.stringify(value)} at path "${rule.path}"`;
      if (rule.enumValues !== null && !rule.enumValues.includes(value))
        return `\`${value}\` is not a valid enum value for path \`${rule.path}\`.`;
      if (rule.match !== null && !rule.match.test(value)) return `Path \`${rule.path}\` is invalid (${value}).`;
      return null;
    case 'Number':
      return typeof value === 'number' && Number.isFinite(value)
        ? null
        : `Cast to Number failed at path "${rule.path}"`;
    case 'Boolean':
      return typeof value === 'boolean' ? null : `Cast to Boolean failed at path "${rule.path}"`;
    case 'Array':
      if (!Array.isArray(value)) return `Cast to [${rule.itemType}] failed at path "${rule.path}"`;
      if (rule.itemType === 'String' && value.some((v) => typeof v !== 'string'))
        return `Cast to [string] failed at path "${rule.path}"`;
      return null;
    default:
      return null;
  }
}

/** Why the document cannot be stored, or null when it can. */
export function refusalOf(kind: DocumentKind, doc: { key: string }): Refusal | null {
  const key = typeof doc.key === 'string' ? doc.key : String(doc.key);
  const rules = RULES[kind];
  for (const field of Object.keys(doc)) {
    if (!rules.has(field) && (doc as Record<string, unknown>)[field] !== undefined) {
      return { key, field, reason: `Field \`${field}\` is not in schema and strict mode is set to throw.` };
    }
  }
  for (const rule of rules.values()) {
    const reason = problemOf(rule, (doc as Record<string, unknown>)[rule.path]);
    if (reason !== null) return { key, field: rule.path, reason };
  }
  return null;
}

/** Splits a batch into the documents that can be stored and the refusals of the rest. */
export function checkBatch<T extends { key: string }>(
  kind: DocumentKind,
  docs: T[],
): { valid: T[]; refused: Refusal[] } {
  const valid: T[] = [];
  const refused: Refusal[] = [];
  for (const doc of docs) {
    const refusal = refusalOf(kind, doc);
    if (refusal === null) valid.push(doc);
    else refused.push(refusal);
  }
  return { valid, refused };
}

/** What mongoose itself says of the document (slow): for the tests that keep the rules above honest. */
export async function mongooseRefusalOf(
  kind: DocumentKind,
  doc: { key: string },
): Promise<Pick<Refusal, 'field'> | null> {
  try {
    await new MODELS[kind](doc).validate();
    return null;
  } catch (err) {
    return { field: firstProblem(err).field };
  }
}

/** A patch of a record that would give it a value it cannot hold: an InputError naming the field. */
export async function checkPatch(kind: RecordKind, patch: Record<string, unknown>): Promise<void> {
  const paths = Object.keys(patch).filter((k) => patch[k] !== undefined);
  if (paths.length === 0) return;
  try {
    await new MODELS[kind](patch).validate(paths);
  } catch (err) {
    const { field, reason } = firstProblem(err);
    throw new InputError(`${kind}: ${reason}`, field === '*' ? null : field);
  }
}

/** The schema defaults of each kind of record: what MongoDB stores for a field left out. */
const DEFAULTS = Object.fromEntries(
  Object.entries(MODELS).map(([kind, model]) => [
    kind,
    Object.entries(model.schema.paths)
      .filter(([path]) => path !== '_id')
      .map(([path, type]) => {
        const t = type as unknown as { instance: string; defaultValue?: unknown };
        // mongoose gives every array an empty one by default (its defaultValue is a function then).
        return [path, t.instance === 'Array' ? [] : t.defaultValue] as const;
      })
      .filter(([, value]) => value !== undefined && typeof value !== 'function'),
  ]),
) as unknown as Record<RecordKind, ReadonlyArray<readonly [string, unknown]>>;

/**
 * The record with every field it leaves out set to its schema default (null, '' or an
 * empty list), as mongoose sets them on MongoDB: both stores then return the same record.
 */
export function withDefaults<T extends object>(kind: RecordKind, record: T): T {
  let out: Record<string, unknown> | null = null;
  for (const [path, value] of DEFAULTS[kind]) {
    if ((record as Record<string, unknown>)[path] !== undefined) continue;
    out ??= { ...(record as Record<string, unknown>) };
    out[path] = Array.isArray(value) ? [] : value;
  }
  return (out ?? record) as T;
}

/** A new record that breaks its schema (as MongoDB would refuse it): an InputError naming the field. */
export async function checkRecord(kind: RecordKind, record: object): Promise<void> {
  try {
    await new MODELS[kind](record).validate();
  } catch (err) {
    const { field, reason } = firstProblem(err);
    throw new InputError(`${kind}: ${reason}`, field === '*' ? null : field);
  }
}

/** The error a batch with refused documents ends with, after the valid ones were written. */
export function refusedBatchError(kind: DocumentKind, refused: Refusal[], stored: number): InputError {
  const listed = refused
    .slice(0, 5)
    .map((r) => `${kind} ${r.key}: ${r.field}: ${r.reason}`)
    .join('; ');
  const more = refused.length > 5 ? `; and ${refused.length - 5} more` : '';
  return new InputError(
    `${refused.length} ${kind} document(s) refused by the store (${listed}${more}); the other ${stored} of the batch were stored. ` +
      'Fix the value (or the field mapping that produced it) and write them again.',
    refused[0]!.field,
  );
}
