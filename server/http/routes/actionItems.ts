/** GET /api/action-items: every action item with its due date; `overdue=true` sorts by days overdue. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { parseActionItemListQuery } from '../query.js';
import { sendJson } from './sendJson.js';

export function actionItemsRoutes({ metrics }: Pick<AppDeps, 'metrics'>): Router {
  const router = Router();
  router.get('/api/action-items', async (req, res) => {
    const query = parseActionItemListQuery(req.query);
    await sendJson(res, await metrics.actionItems(query));
  });
  return router;
}
