/** GET /api/incidents, /api/incidents/:key, /api/incidents/:key/postmortem.md. */
import { Router } from 'express';
import { renderPostmortemMarkdown } from '../../postmortem/export.js';
import type { AppDeps } from '../deps.js';
import { NO_QUERY, parseIncidentListQuery, parseQuery } from '../query.js';
import { metricsServiceOf, sendJson } from './metricsService.js';

export function incidentsRoutes(deps: AppDeps): Router {
  const router = Router();

  router.get('/api/incidents', async (req, res) => {
    const query = parseIncidentListQuery(req.query);
    sendJson(res, await metricsServiceOf(deps).incidents(query));
  });

  router.get('/api/incidents/:key', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    res.json(await metricsServiceOf(deps).incident(req.params.key));
  });

  router.get('/api/incidents/:key/postmortem.md', async (req, res) => {
    parseQuery(req.query, NO_QUERY);
    const { postmortem, actionItems, ...incident } = await metricsServiceOf(deps).incident(req.params.key);
    const markdown = renderPostmortemMarkdown({ incident, actionItems, postmortem, publicUrl: deps.config.publicUrl });
    const filename = `${req.params.key.replace(/[^A-Za-z0-9._-]/g, '_')}-postmortem.md`;
    res.type('text/markdown; charset=utf-8');
    res.setHeader('Content-Disposition', `inline; filename="${filename}"`);
    res.send(markdown);
  });

  return router;
}
