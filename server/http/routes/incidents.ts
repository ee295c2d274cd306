/** GET /api/incidents, /api/incidents/:key, /api/incidents/:key/postmortem.md. */
import { Router } from 'express';
import { renderPostmortemMarkdown } from '../../postmortem/export.js';
import type { AppDeps } from '../deps.js';
import { NO_QUERY, parseIncidentListQuery, parseQuery } from '../query.js';
import { sendJson } from './sendJson.js';

export function incidentsRoutes({ metrics, config }: Pick<AppDeps, 'metrics' | 'config'>): Router {
  const router = Router();

  router.get('/api/incidents', async (req, res) => {
    const query = parseIncidentListQuery(req.query);
    await sendJson(res, await metrics.incidents(query));
  });

  router.get('/api/incidents/:key', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    res.json(await metrics.incident(req.params.key));
  });

  router.get('/api/incidents/:key/postmortem.md', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    const { postmortem, actionItems, ...incident } = await metrics.incident(req.params.key);
    const markdown = renderPostmortemMarkdown({ incident, actionItems, postmortem, publicUrl: config.publicUrl });
    const filename = `${req.params.key.replace(/[^A-Za-z0-9._-]/g, '_')}-postmortem.md`;
    res.type('text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.send(markdown);
  });

  return router;
}
