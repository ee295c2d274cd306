/** The MetricsService behind the metrics, incidents and action-item routes of one app. */
import { createHash } from 'node:crypto';
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
  body: string;
  etag: string;
}

/** Cached answers are the same objects until the data changes; so is their JSON. */
const serialized = new WeakMap<object, Serialized>();

/**
 * Sends a (cached) answer as JSON, serialising and hashing each answer object once: a
 * metrics answer is tens of kilobytes, and under many concurrent clients re-serialising
 * it on every request would cost more than computing it did.
 */
export function sendJson(res: Response, value: object): void {
  let entry = serialized.get(value);
  if (!entry) {
    const body = JSON.stringify(value);
    entry = { body, etag: `W/"${createHash('sha1').update(body).digest('base64url')}"` };
    serialized.set(value, entry);
  }
  res.setHeader('ETag', entry.etag);
  res.type('application/json').send(entry.body);
}
