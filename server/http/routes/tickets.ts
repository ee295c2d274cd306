/**
 * POST /api/incidents/:key/action-items `{ summary, owner?, dueDate?, description? }`:
 * creates the Jira ticket (exactly once: the same item asked for again, or the same
 * `Idempotency-Key` header, returns the same ticket), links it to the incident, stores it.
 * 201 `{ key, url }`, also to a retry (then with `Idempotent-Replayed: true`).
 */
import { Router } from 'express';
import type { CreateActionItemRequest, CreateActionItemResponse } from '../../domain/api.js';
import { InputError } from '../../errors.js';
import { createActionItemTicket, validateTicketInput } from '../../tickets/createTicket.js';
import { idempotencyKeyFor, idempotencyKeyFromHeader } from '../../tickets/ticketContent.js';
import type { AppDeps } from '../deps.js';
import { NO_QUERY, parseQuery } from '../query.js';

const FIELDS = new Set<keyof CreateActionItemRequest>(['summary', 'owner', 'dueDate', 'description']);

export function ticketsRoutes({ tickets }: Pick<AppDeps, 'tickets'>): Router {
  const router = Router();
  router.post('/api/incidents/:key/action-items', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    const body: unknown = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new InputError(
        'Send a JSON object { summary, owner?, dueDate?, description? } with Content-Type: application/json',
        'body',
      );
    }
    const unknown = Object.keys(body).find((name) => !FIELDS.has(name as keyof CreateActionItemRequest));
    if (unknown) throw new InputError(`Unknown field "${unknown}"; send summary, owner, dueDate, description`, unknown);
    const input = validateTicketInput(body as Record<string, unknown>);
    const incidentKey = String(req.params.key);
    const header = req.get('Idempotency-Key');
    if (header !== undefined && (header.trim() === '' || header.length > 200)) {
      throw new InputError('The Idempotency-Key header must be 1-200 characters', 'Idempotency-Key');
    }
    const result = await createActionItemTicket(tickets, {
      incidentKey,
      idempotencyKey: header
        ? idempotencyKeyFromHeader(incidentKey, header)
        : idempotencyKeyFor(incidentKey, null, input.summary),
      ...input,
      documentRef: null,
    });
    const response: CreateActionItemResponse = { key: result.key, url: result.url };
    if (result.outcome === 'existing') res.set('Idempotent-Replayed', 'true');
    res.status(201).json(response);
  });
  return router;
}
