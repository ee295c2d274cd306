/**
 * One set of rules for what a stored incident or action item may look like, applied by
 * both stores before they write: the mongoose schemas (./mongo/models.ts), run here on a
 * mongoose instance that never connects. A document that breaks them is refused loudly,
 * and the rest of its batch is still written.
 */
import mongoose from 'mongoose';
import { InputError } from '../errors.js';
import { actionItemSchema, digestSchema, incidentSchema, ticketRequestSchema } from './mongo/models.js';

const detached = new mongoose.Mongoose();
const MODELS = {
  incident: detached.model('Incident', incidentSchema),
  'action item': detached.model('ActionItem', actionItemSchema),
  digest: detached.model('Digest', digestSchema),
  'ticket request': detached.model('TicketRequest', ticketRequestSchema),
};
export type DocumentKind = 'incident' | 'action item';
export type RecordKind = keyof typeof MODELS;

export interface Refusal {
  key: string;
  field: string;
  reason: string;
}

/** Why the document cannot be stored, or null when it can. */
export function refusalOf(kind: DocumentKind, doc: { key: string }): Refusal | null {
  const key = typeof doc.key === 'string' ? doc.key : String(doc.key);
  try {
    const error = new MODELS[kind](doc).validateSync();
    if (!error) return null;
    const [field, first] = Object.entries(error.errors)[0]!;
    return { key, field, reason: first.message };
  } catch (err) {
    // strict: 'throw' refuses unknown fields in the constructor.
    const e = err as { path?: string; message?: string };
    return { key, field: e.path ?? '*', reason: e.message ?? String(err) };
  }
}

/** A patch of a record that would give it a value it cannot hold: an InputError naming the field. */
export function checkPatch(kind: RecordKind, patch: Record<string, unknown>): void {
  const paths = Object.keys(patch).filter((k) => patch[k] !== undefined);
  if (paths.length === 0) return;
  let error: { errors: Record<string, { path?: string; message: string }> } | null;
  try {
    error = new MODELS[kind](patch).validateSync(paths);
  } catch (err) {
    const e = err as { path?: string; message?: string };
    throw new InputError(`${kind}: ${e.message ?? String(err)}`, e.path ?? null);
  }
  if (!error) return;
  const [field, first] = Object.entries(error.errors)[0]!;
  throw new InputError(`${kind}: ${first.message}`, field);
}

/** Splits a batch into the documents that can be stored and the refusals of the rest. */
export function checkBatch<T extends { key: string }>(kind: DocumentKind, docs: T[]): { valid: T[]; refused: Refusal[] } {
  const valid: T[] = [];
  const refused: Refusal[] = [];
  for (const doc of docs) {
    const refusal = refusalOf(kind, doc);
    if (refusal === null) valid.push(doc);
    else refused.push(refusal);
  }
  return { valid, refused };
}

/** The error a batch with refused documents ends with, after the valid ones were written. */
export function refusedBatchError(kind: DocumentKind, refused: Refusal[], stored: number): InputError {
  const listed = refused.slice(0, 5).map((r) => `${kind} ${r.key}: ${r.field}: ${r.reason}`).join('; ');
  const more = refused.length > 5 ? `; and ${refused.length - 5} more` : '';
  return new InputError(
    `${refused.length} ${kind} document(s) refused by the store (${listed}${more}); the other ${stored} of the batch were stored. ` +
      'Fix the value (or the field mapping that produced it) and write them again.',
    refused[0]!.field,
  );
}
