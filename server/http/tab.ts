/**
 * Serves the built Teams tab: /tab (static tab, plain web page) and /tab/config (configurable
 * tab), and the blank post-mortem template (docs/postmortem-template.md) the tab links to.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { POSTMORTEM_TEMPLATE, TAB_DIR } from '../paths.js';
import express, { Router } from 'express';
import { DomainError } from '../errors.js';
import type { AppDeps } from './deps.js';

class TabNotBuiltError extends DomainError {
  constructor() {
    super(
      'tab_not_built',
      'The tab is not built; run `npm run build:client` (npm start and npm run build do it for you).',
    );
  }
}

export function tabRoutes({ tabDir }: AppDeps): Router {
  const dir = resolve(tabDir ?? TAB_DIR);
  const router = Router();
  const page = (file: string) => (_req: express.Request, res: express.Response, next: express.NextFunction) => {
    const path = join(dir, file);
    if (!existsSync(path)) {
      next(new TabNotBuiltError());
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(path);
  };
  router.get(['/tab', '/tab/'], page('index.html'));
  router.get(['/tab/config', '/tab/config/'], page('config.html'));
  router.get('/tab/postmortem-template.md', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/markdown; charset=utf-8').sendFile(POSTMORTEM_TEMPLATE);
  });
  router.use('/tab', express.static(dir, { index: false, immutable: true, maxAge: '1y' }));
  router.get('/', (_req, res) => res.redirect('/tab'));
  return router;
}
