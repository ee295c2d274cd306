/** POST /api/incidents/:key/action-items (create a Jira ticket). Not built yet: until it is, these routes answer 404 like any unknown route. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function ticketsRoutes(_deps: AppDeps): Router {
  return Router();
}
