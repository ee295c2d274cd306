/** Answers of the metrics, incidents and action-item routes, sent as JSON once encoded. */
import { createHash } from 'node:crypto';
import type { Response } from 'express';

interface Serialized {
  body: Buffer;
  length: string;
  etag: string;
}

/** Cached answers are the same objects until the data changes; so are their bytes. */
const serialized = new WeakMap<object, Serialized>();

/**
 * Sends a (cached) answer as JSON. Each answer object is serialised, encoded and hashed
 * once: under many concurrent clients re-encoding (and Express re-hashing for its ETag)
 * a metrics answer on every request would cost more than computing it did. Conditional
 * requests (If-None-Match) get a 304, HEAD gets the headers only.
 */
export function sendJson(res: Response, value: object): void {
  let entry = serialized.get(value);
  if (!entry) {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    entry = { body, length: String(body.length), etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
    serialized.set(value, entry);
  }
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', entry.etag);
  if (res.req.fresh) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Length', entry.length);
  if (res.req.method === 'HEAD') res.end();
  else res.end(entry.body);
}
