/** POST /api/postmortems (import a filled-in post-mortem). Not built yet: until it is, these routes answer 404 like any unknown route. */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

export function postmortemsRoutes(_deps: AppDeps): Router {
  return Router();
}
