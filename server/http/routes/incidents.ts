/** GET /api/incidents, /api/incidents/:key, /api/incidents/:key/postmortem.md. Not built yet: until it is, these routes answer 404 like any unknown route. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function incidentsRoutes(_deps: AppDeps): Router {
  return Router();
}
