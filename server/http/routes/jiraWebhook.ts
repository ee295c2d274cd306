/**
 * POST /api/jira/webhook: Jira's admin-webhook deliveries (docs/webhooks.md). The signature
 * is this route's only credential (it is mounted before AUTH_MODE's middleware): the HMAC
 * is checked over the raw bytes before any parsing, then the delivery is queued in the
 * store and answered at once; the webhook worker does the rest.
 */
import express, { Router } from 'express';
import { AuthenticationError, InputError, NotFoundError, StoreUnavailableError } from '../../errors.js';
import { deliveryId, readDelivery } from '../../webhooks/deliveries.js';
import { SIGNATURE_HEADER, signatureMatches } from '../../webhooks/signature.js';
import type { AppDeps } from '../deps.js';

export const JIRA_WEBHOOK_PATH = '/api/jira/webhook';

export function jiraWebhookRoutes({ config, webhooks }: Pick<AppDeps, 'config' | 'webhooks'>): Router {
  const router = Router();
  const secret = config.jiraWebhookSecret;
  router.post(JIRA_WEBHOOK_PATH, express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    if (secret === null) {
      throw new NotFoundError(
        'Jira webhooks are off: set JIRA_WEBHOOK_SECRET (and give Jira the same secret) to turn them on',
      );
    }
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!signatureMatches(secret, body, req.get(SIGNATURE_HEADER))) {
      throw new AuthenticationError(
        'X-Hub-Signature is missing or does not match: sign the raw body with HMAC-SHA256 and JIRA_WEBHOOK_SECRET, as "sha256=<hex>"',
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new InputError('the body is not JSON; Jira sends the delivery as a JSON object', 'body');
    }
    const reading = readDelivery(payload);
    if (reading.kind === 'invalid') throw new InputError(reading.message, reading.field);
    if (reading.kind === 'ignored') {
      res.status(202).json({ accepted: false, reason: reading.reason });
      return;
    }
    if (webhooks === null)
      throw new StoreUnavailableError(
        'no Jira connection to read the issue from; set JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN',
      );
    const id = deliveryId(req.get('x-atlassian-webhook-identifier'), body);
    const queued = await webhooks.accept({ id, event: reading.event, issues: reading.issues });
    res.status(202).json({ accepted: true, duplicate: !queued, id });
  });
  return router;
}
