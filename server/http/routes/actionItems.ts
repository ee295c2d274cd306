/** GET /api/action-items: every action item with its due date; `overdue=true` sorts by days overdue. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { parseActionItemListQuery } from '../query.js';
import { metricsServiceOf, sendJson } from './metricsService.js';

export function actionItemsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/action-items', async (req, res) => {
    const query = parseActionItemListQuery(req.query);
    sendJson(res, await metricsServiceOf(deps).actionItems(query));
  });
  return router;
}
