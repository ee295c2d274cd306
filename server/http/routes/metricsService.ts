/** The MetricsService behind the metrics, incidents and action-item routes of one app. */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Response } from 'express';
import { sharedMetricsService } from '../../metrics/index.js';
import type { MetricsService } from '../../metrics/index.js';
import type { AppDeps } from '../deps.js';

export function metricsServiceOf(deps: AppDeps): MetricsService {
  return sharedMetricsService(deps.store, {
    timezone: deps.config.timezone,
    slaDays: deps.config.actionItemSlaDays,
    now: deps.now,
  });
}

interface Serialized {
  body: Buffer;
  etag: string;
  /** The body gzipped (level 1: the first answer after a change waits for it), made when first asked for. */
  gzipped: Promise<Buffer> | null;
}

/** Smaller answers are sent as they are: compressing them saves less than it costs. */
const GZIP_FROM_BYTES = 1024;
const gzipAsync = promisify(gzip);

/** Cached answers are the same objects until the data changes; so are their bytes. */
const serialized = new WeakMap<object, Serialized>();

/**
 * Sends a (cached) answer as JSON. Each answer object is serialised, hashed and (for
 * clients that accept it, as browsers do) gzipped once: under many concurrent clients
 * re-encoding (and Express re-hashing for its ETag) a metrics answer on every request would
 * cost more than computing it did. Conditional requests (If-None-Match) get a 304, HEAD gets
 * the headers only.
 */
export async function sendJson(res: Response, value: object): Promise<void> {
  let entry = serialized.get(value);
  if (!entry) {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    entry = { body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}"`, gzipped: null };
    serialized.set(value, entry);
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', entry.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (res.req.fresh) {
    res.status(304).end();
    return;
  }
  let body = entry.body;
  if (body.length >= GZIP_FROM_BYTES && res.req.acceptsEncodings('gzip') === 'gzip') {
    const pending = (entry.gzipped ??= gzipAsync(body, { level: 1 }));
    body = await pending;
    res.setHeader('Content-Encoding', 'gzip');
  }
  res.setHeader('Content-Length', String(body.length));
  if (res.req.method === 'HEAD') res.end();
  else res.end(body);
}
