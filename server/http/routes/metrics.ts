/**
 * GET /api/metrics: the reliability numbers of a window (docs/metrics.md),
 * its data-quality lists cut to their first entries; GET /api/data-quality: those lists
 * in full, same filters, pageable.
 */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';
import { parseDataQualityQuery, parseMetricsQuery } from '../query.js';
import { sendJson } from './sendJson.js';

export function metricsRoutes({ metrics }: Pick<AppDeps, 'metrics'>): Router {
  const router = Router();
  router.get('/api/metrics', async (req, res) => {
    const query = parseMetricsQuery(req.query);
    await sendJson(res, await metrics.metrics(query));
  });
  router.get('/api/data-quality', async (req, res) => {
    const query = parseDataQualityQuery(req.query);
    await sendJson(res, await metrics.dataQuality(query));
  });
  return router;
}
