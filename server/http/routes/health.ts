/**
 * GET /api/health: open to all (no credentials), for load balancers. With AUTH_MODE
 * api-key or teams-sso a caller without credentials gets only `{ status }`: the details
 * (sync errors, issue keys, field names, the webhook host) are for authenticated callers.
 */
import { Router } from 'express';
import type { HealthResponse } from '../../domain/api.js';
import type { Caller } from '../auth.js';
import type { AppDeps } from '../deps.js';

export function healthRoutes({
  config,
  store,
  digest,
  now,
}: Pick<AppDeps, 'config' | 'store' | 'digest' | 'now'>): Router {
  const router = Router();
  router.get('/api/health', async (_req, res) => {
    if (!(res.locals.caller as Caller | undefined)?.authenticated) {
      res.json({ status: 'ok' } satisfies Pick<HealthResponse, 'status'>);
      return;
    }
    const [run, counts, digestHealth] = await Promise.all([store.lastSyncRun(), store.counts(), digest.health(now())]);
    const body: HealthResponse = {
      status: 'ok',
      store: store.kind,
      lastSync:
        run === null
          ? null
          : {
              at: run.finishedAt,
              ok: run.ok,
              incidents: run.incidents.inserted + run.incidents.updated + run.incidents.unchanged,
              actionItems: run.actionItems.inserted + run.actionItems.updated + run.actionItems.unchanged,
            },
      demo: config.demo,
      counts,
      sync: run,
      digest: digestHealth,
    };
    res.json(body);
  });
  return router;
}
