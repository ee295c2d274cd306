/** GET /api/incidents, /api/incidents/:key, /api/incidents/:key/postmortem.md. */
import { Router } from 'express';
import type { Request } from 'express';
import { InputError } from '../../errors.js';
import { parseIncidentListQuery } from '../../metrics/index.js';
import { renderPostmortemMarkdown } from '../../postmortem/export.js';
import type { AppDeps } from '../deps.js';
import { sendJson } from './sendJson.js';

function refuseAnyQuery(req: Request): void {
  const [name] = Object.keys(req.query as Record<string, unknown>);
  if (name !== undefined) {
    throw new InputError(`Unknown query parameter "${name}"; this route accepts no parameters.`, name);
  }
}

export function incidentsRoutes({ metrics, config }: Pick<AppDeps, 'metrics' | 'config'>): Router {
  const router = Router();

  router.get('/api/incidents', async (req, res) => {
    const query = parseIncidentListQuery(req.query as Record<string, unknown>);
    await sendJson(res, await metrics.incidents(query));
  });

  router.get('/api/incidents/:key', async (req, res) => {
    refuseAnyQuery(req);
    res.json(await metrics.incident(req.params.key));
  });

  router.get('/api/incidents/:key/postmortem.md', async (req, res) => {
    refuseAnyQuery(req);
    const { postmortem, actionItems, ...incident } = await metrics.incident(req.params.key);
    const markdown = renderPostmortemMarkdown({ incident, actionItems, postmortem, publicUrl: config.publicUrl });
    const filename = `${req.params.key.replace(/[^A-Za-z0-9._-]/g, '_')}-postmortem.md`;
    res.type('text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.send(markdown);
  });

  return router;
}
