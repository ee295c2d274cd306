/**
 * The digest's routes:
 * - `GET /api/digest/preview[?week=2026-W47]`: the Adaptive Card `npm run digest` would post
 *   now (last complete ISO week in TIMEZONE), behind the API's authentication.
 * - `GET /api/digest/chart/2026-W47.png`: the card's chart. Public, because Teams fetches
 *   a card's images without the user's credentials; it shows weekly incident counts only.
 */
import { Router } from 'express';
import { parseWeek } from '../../digest/weeks.js';
import type { AppDeps } from '../deps.js';
import { NO_QUERY, parseQuery, WEEK_QUERY } from '../query.js';

/** Mounted before authentication. */
export function digestPublicRoutes({ digest }: Pick<AppDeps, 'digest'>): Router {
  const router = Router();
  router.get('/api/digest/chart/:week.png', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    const week = parseWeek(req.params.week, 'week');
    const png = await digest.chartPng(week);
    res.set('Cache-Control', 'public, max-age=300').type('image/png').send(png);
  });
  return router;
}

export function digestRoutes({ digest, now }: Pick<AppDeps, 'digest' | 'now'>): Router {
  const router = Router();
  router.get('/api/digest/preview', async (req, res) => {
    const { week } = parseQuery(req.query, WEEK_QUERY);
    res.json(await digest.preview(now(), week));
  });
  return router;
}
