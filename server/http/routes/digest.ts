/** GET /api/digest/preview. Not built yet: until it is, these routes answer 404 like any unknown route. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function digestRoutes(_deps: AppDeps): Router {
  return Router();
}
