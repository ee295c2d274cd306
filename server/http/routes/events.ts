/**
 * GET /api/events: server-sent events announcing each change of the store's data version
 * (the product's DataVersionFeed, server/events/dataVersionFeed.ts), behind the same auth
 * as the rest of the API (the tab reads the stream with fetch so it can send the
 * Authorization header; see client/src/live.ts).
 */
import { Router } from 'express';
import type { AppDeps } from '../deps.js';

/** Proxies drop idle connections; a comment line now and then keeps the stream open. */
const HEARTBEAT_MS = 15_000;

export function eventsRoutes({ dataVersions }: Pick<AppDeps, 'dataVersions'>): Router {
  const router = Router();
  router.get('/api/events', (req, res) => {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const unsubscribe = dataVersions.subscribe((version) =>
      res.write(`event: data-version\ndata: ${JSON.stringify({ version })}\n\n`),
    );
    req.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
  return router;
}
