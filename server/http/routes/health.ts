/** GET /api/health: open to all (no credentials), for load balancers and people alike. */
import { Router } from 'express';
import type { HealthResponse } from '../../domain/api.js';
import type { AppDeps } from '../deps.js';

export function healthRoutes({ config, store }: AppDeps): Router {
  const router = Router();
  router.get('/api/health', async (_req, res) => {
    const [run, counts] = await Promise.all([store.lastSyncRun(), store.counts()]);
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
    };
    res.json(body);
  });
  return router;
}
