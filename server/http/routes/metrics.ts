/** GET /api/metrics (issue: reliability metrics API). Not built yet: until it is, these routes answer 404 like any unknown route. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function metricsRoutes(_deps: AppDeps): Router {
  return Router();
}
