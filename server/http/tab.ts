/** Serves the built Teams tab: /tab (static tab, plain web page) and /tab/config (configurable tab). */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { Router } from 'express';
import { DomainError } from '../errors.js';
import type { AppDeps } from './deps.js';

class TabNotBuiltError extends DomainError {
  constructor() {
    super('tab_not_built', 'The tab is not built; run `npm run build:client` (npm start does it for you).');
  }
}

export function tabRoutes({ tabDir }: AppDeps): Router {
  const dir = resolve(tabDir ?? 'build/tab');
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
  router.use('/tab', express.static(dir, { index: false, immutable: true, maxAge: '1y' }));
  router.get('/', (_req, res) => res.redirect('/tab'));
  return router;
}
