/**
 * POST /api/postmortems (Content-Type: text/markdown): imports a filled-in post-mortem.
 * 200 `{ incident, actionItems, created }` when every row has its ticket; 502 with the same
 * body plus `error` when some rows failed because Jira did (a re-run creates only those);
 * 400 naming each bad line and table row. `?dryRun=true` answers what it would do and
 * writes nothing.
 */
import { Router } from 'express';
import type { ImportPostmortemResponse } from '../../domain/api.js';
import { InputError, PartialJiraFailureError, UnsupportedMediaTypeError } from '../../errors.js';
import { hasFailures, importPostmortem, planImport } from '../../tickets/importPostmortem.js';
import type { AppDeps } from '../deps.js';
import { IMPORT_QUERY, parseQuery } from '../query.js';

export function postmortemsRoutes({ tickets }: Pick<AppDeps, 'tickets'>): Router {
  const router = Router();
  router.post('/api/postmortems', async (req, res) => {
    const { dryRun = false } = parseQuery(req.query, IMPORT_QUERY);
    // text/markdown only: a browser cannot send it cross-site without a CORS preflight.
    if (!req.is('text/markdown')) {
      throw new UnsupportedMediaTypeError(
        `POST /api/postmortems accepts Content-Type: text/markdown only (got ${req.get('Content-Type') ?? 'none'}); send the filled-in template as the body with Content-Type: text/markdown.`,
      );
    }
    if (typeof req.body !== 'string') {
      throw new InputError('Send the post-mortem as the request body with Content-Type: text/markdown', 'body');
    }
    if (req.body.trim() === '')
      throw new InputError('The post-mortem is empty; send the filled-in template as the body', 'body');
    if (dryRun) {
      res.json(await planImport(tickets, req.body));
      return;
    }
    const result = await importPostmortem(tickets, req.body);
    const body: ImportPostmortemResponse & Pick<typeof result, 'incidentSource' | 'warnings'> = result;
    if (hasFailures(result)) {
      const failed = result.actionItems.filter((row) => row.status === 'failed').length;
      throw new PartialJiraFailureError(
        `${failed} of ${result.actionItems.length} action items could not be given a Jira ticket; see actionItems[].error, then send the document again to create only the missing ones`,
        body,
      );
    }
    res.json(body);
  });
  return router;
}
