/** GET /api/action-items: every action item with its due date; `overdue=true` sorts by days overdue. */
import { Router } from 'express';
import { parseActionItemListQuery } from '../../metrics/index.js';
import type { AppDeps } from '../deps.js';
import { sendJson } from './sendJson.js';

export function actionItemsRoutes({ metrics }: Pick<AppDeps, 'metrics'>): Router {
  const router = Router();
  router.get('/api/action-items', async (req, res) => {
    const query = parseActionItemListQuery(req.query as Record<string, unknown>);
    await sendJson(res, await metrics.actionItems(query));
  });
  return router;
}
