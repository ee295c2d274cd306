/** GET /api/review[?week=2026-W47]: the agenda of a week's reliability review (docs/meetings.md). */
import { Router } from 'express';
import { lastCompleteWeek } from '../../digest/weeks.js';
import { reviewAgenda } from '../../review/agenda.js';
import type { AppDeps } from '../deps.js';
import { parseQuery, WEEK_QUERY } from '../query.js';
import { sendJson } from './sendJson.js';

export function reviewRoutes({ metrics, config, now: clock }: Pick<AppDeps, 'metrics' | 'config' | 'now'>): Router {
  const router = Router();
  router.get('/api/review', async (req, res) => {
    const { week } = parseQuery(req.query, WEEK_QUERY);
    const now = clock();
    const timezone = config.timezone;
    await sendJson(res, await reviewAgenda(metrics, { week: week ?? lastCompleteWeek(now, timezone), timezone, now }));
  });
  return router;
}
