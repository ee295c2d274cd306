/**
 * The digest's routes:
 * - `GET /api/digest/preview[?week=2026-W47]`: the Adaptive Card `npm run digest` would post
 *   now (last complete ISO week in TIMEZONE), behind the API's authentication.
 * - `GET /api/digest/chart/2026-W47.png`: the card's chart. Public, because Teams fetches
 *   a card's images without the user's credentials; it shows weekly incident counts only.
 */
import { Router } from 'express';
import { createDigestService } from '../../digest/startDigest.js';
import type { DigestService } from '../../digest/service.js';
import { parseWeek } from '../../digest/weeks.js';
import type { AppDeps } from '../deps.js';
import { NO_QUERY, parseQuery, WEEK_QUERY } from '../query.js';

const services = new WeakMap<AppDeps, DigestService>();

/** The app's DigestService: the one main.ts built (with the schedule's webhook), else one from config. */
export function digestServiceOf(deps: AppDeps): DigestService {
  if (deps.digest) return deps.digest;
  let service = services.get(deps);
  if (!service) {
    service = createDigestService({ config: deps.config, store: deps.store, logger: deps.logger, now: deps.now });
    services.set(deps, service);
  }
  return service;
}

/** Mounted before authentication. */
export function digestPublicRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/digest/chart/:week.png', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    const week = parseWeek(req.params.week, 'week');
    const png = await digestServiceOf(deps).chartPng(week);
    res.set('Cache-Control', 'public, max-age=300').type('image/png').send(png);
  });
  return router;
}

export function digestRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/digest/preview', async (req, res) => {
    const { week } = parseQuery(req.query, WEEK_QUERY);
    res.json(await digestServiceOf(deps).preview(deps.now(), week));
  });
  return router;
}
