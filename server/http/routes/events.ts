/**
 * GET /api/events: server-sent events announcing each change of the store's data version,
 * behind the same auth as the rest of the API (the tab reads the stream with fetch so it
 * can send the Authorization header; see client/src/live.ts). The version is polled once a
 * second per process, however many tabs listen, and only while one does; it changes with
 * every write through the store, whichever replica made it (a webhook, a sync, an import).
 */
import { Router, type Response } from 'express';
import type { Store } from '../../store/Store.js';
import type { AppDeps } from '../deps.js';

const POLL_MS = 1_000;
/** Proxies drop idle connections; a comment line now and then keeps the stream open. */
const HEARTBEAT_MS = 15_000;

class VersionFeed {
  private readonly listeners = new Set<Response>();
  private timer: NodeJS.Timeout | null = null;
  private version: number | null = null;
  private polling = false;

  constructor(private readonly store: Store) {}

  add(res: Response): void {
    this.listeners.add(res);
    if (this.version !== null) send(res, this.version);
    void this.poll();
    if (this.timer === null) {
      this.timer = setInterval(() => void this.poll(), POLL_MS);
      this.timer.unref();
    }
  }

  remove(res: Response): void {
    this.listeners.delete(res);
    if (this.listeners.size === 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.version = null;
    }
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const version = await this.store.dataVersion();
      if (version !== this.version) {
        this.version = version;
        for (const res of this.listeners) send(res, version);
      }
    } catch {
      // The store is briefly unreachable: try again at the next tick.
    } finally {
      this.polling = false;
    }
  }
}

function send(res: Response, version: number): void {
  res.write(`event: data-version\ndata: ${JSON.stringify({ version })}\n\n`);
}

const feeds = new WeakMap<Store, VersionFeed>();

export function eventsRoutes(deps: AppDeps): Router {
  const router = Router();
  router.get('/api/events', (req, res) => {
    let feed = feeds.get(deps.store);
    if (!feed) {
      feed = new VersionFeed(deps.store);
      feeds.set(deps.store, feed);
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write('retry: 3000\n\n');
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    const current = feed;
    current.add(res);
    req.on('close', () => {
      clearInterval(heartbeat);
      current.remove(res);
    });
  });
  return router;
}
