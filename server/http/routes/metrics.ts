/** GET /api/metrics: the reliability numbers of a window (PRODUCT.md, "Metric definitions"). */
import { Router } from 'express';
import { parseMetricsQuery } from '../../metrics/index.js';
import type { AppDeps } from '../deps.js';
import { metricsServiceOf, sendJson } from './metricsService.js';

export function metricsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/metrics', async (req, res) => {
    const query = parseMetricsQuery(req.query as Record<string, unknown>);
    sendJson(res, await metricsServiceOf(deps).metrics(query));
  });
  return router;
}
