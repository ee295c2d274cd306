/** GET /api/action-items. Not built yet: until it is, these routes answer 404 like any unknown route. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function actionItemsRoutes(_deps: AppDeps): Router {
  return Router();
}
