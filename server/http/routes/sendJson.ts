/** Answers of the metrics, incidents and action-item routes, sent as JSON once encoded. */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Response } from 'express';

type Encoding = 'br' | 'gzip';

interface Serialized {
  /**
   * The JSON; null once a large answer's Brotli encodings are all made (RELEASE_BODY_FROM_BYTES),
   * serialised again for a client that does not take Brotli.
   */
  body: Buffer | null;
  /** The JSON's length in bytes. */
  bytes: number;
  etag: string;
  /** The body compressed, per encoding, made when first asked for (off the event loop). */
  compressed: Partial<Record<Encoding, Promise<Buffer>>>;
  /** Brotli answers sent so far; the second starts the smallest encoding (see sendJson). */
  brotliSends: number;
}

/** Smaller answers are sent as they are: compressing them saves less than it costs. */
const COMPRESS_FROM_BYTES = 1024;
const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/**
 * The first Brotli encoding of an answer (browsers accept Brotli) is at quality 2: the 4.7 MB
 * metrics answer at 5x, mostly incident keys, comes out at 490 KB in 23 ms, where quality 6
 * takes 98 ms for 297 KB. Over a 100 Mbit/s link both arrive at about the same time, and a
 * never-asked answer waits for it. Otherwise gzip at level 1, the fastest (1.1 MB in 25 ms).
 */
export const FIRST_BROTLI_QUALITY = 2;

function compress(body: Buffer, encoding: Encoding, quality = FIRST_BROTLI_QUALITY): Promise<Buffer> {
  return encoding === 'br'
    ? brotliAsync(body, {
        params: { [zlibConstants.BROTLI_PARAM_QUALITY]: quality, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
      })
    : gzipAsync(body, { level: 1 });
}

/**
 * An answer asked for again (a dashboard several people watch, a tab reloaded) is worth
 * smaller encodings, made in the background, each replacing the bytes sent when ready:
 * first Brotli at quality 6 (at 5x: 297 KB instead of 490 KB, in ~100 ms), then at quality
 * 11, a third of the bytes of quality 2 (855 KB of metrics at product scale: 27 KB instead
 * of 79 KB) for ~1 s of a background thread at that scale (not for larger answers: see
 * QUALITY_11_MAX_BYTES). Under many clients the bytes are what costs: the 5x load test
 * served 164 answers a second while they were quality 2, 268 at quality 6.
 */
export const UPGRADE_BROTLI_QUALITIES = [6, 11] as const;

/**
 * Quality 11 costs a core about 1.3 s per megabyte of JSON, and ~100 MB of memory at 25 MB:
 * at 5x, 6 s for the 4.5 MB metrics answer, 42 s for the 16 MB overdue list and 62 s for the
 * 25 MB incident list, taken from the requests of a 2-core server while they ran. Bodies
 * larger than this stop at quality 6 (the incident list: 2.4 MB instead of 1.8 MB).
 */
export const QUALITY_11_MAX_BYTES = 1 << 20;

/** The background encodings an answer of `bytes` gets once asked for again. */
export function upgradeQualities(bytes: number): number[] {
  return UPGRADE_BROTLI_QUALITIES.filter((quality) => quality < 11 || bytes <= QUALITY_11_MAX_BYTES);
}

/**
 * From this size, an answer's JSON is let go once its Brotli encodings are made: browsers
 * take those, and the JSON of the tab's lists at 5x (25 MB of incidents, 16 MB of overdue
 * items) would otherwise stay in memory beside them as long as the answer is cached.
 */
export const RELEASE_BODY_FROM_BYTES = 1 << 20;

async function upgradeBrotli(value: object, entry: Serialized): Promise<void> {
  for (const quality of upgradeQualities(entry.bytes)) {
    try {
      entry.compressed.br = Promise.resolve(await compress(bodyOf(value, entry), 'br', quality));
    } catch {
      // the bytes before stay
    }
  }
  if (entry.bytes >= RELEASE_BODY_FROM_BYTES) entry.body = null;
}

/** The answer's JSON, serialised again if it was let go. */
function bodyOf(value: object, entry: Serialized): Buffer {
  return (entry.body ??= Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Cached answers are the same objects until the data changes; so are their bytes. */
const serialized = new WeakMap<object, Serialized>();

function serializedOf(value: object): Serialized {
  let entry = serialized.get(value);
  if (!entry) {
    const body = Buffer.from(JSON.stringify(value), 'utf8');
    entry = {
      body,
      bytes: body.length,
      etag: `W/"${createHash('sha1').update(body).digest('base64url')}"`,
      compressed: {},
      brotliSends: 0,
    };
    serialized.set(value, entry);
  }
  return entry;
}

/**
 * Serialises an answer and encodes it for browsers (Brotli at FIRST_BROTLI_QUALITY) before
 * anyone asks for it: the answers the metrics service refreshes after a change, so that the
 * tabs told of the change get bytes ready (at 5x: 30-80 ms of serialising and 23 ms of
 * Brotli for the default metrics answer).
 */
export async function encodeAhead(value: object): Promise<void> {
  const entry = serializedOf(value);
  if (entry.bytes >= COMPRESS_FROM_BYTES) await (entry.compressed.br ??= compress(bodyOf(value, entry), 'br'));
}

/**
 * Sends a (cached) answer as JSON. Each answer object is serialised, hashed and (for
 * clients that accept it, as browsers do) compressed once: under many concurrent clients
 * re-encoding (and Express re-hashing for its ETag) a metrics answer on every request would
 * cost more than computing it did. Conditional requests (If-None-Match) get a 304, HEAD gets
 * the headers only.
 */
export async function sendJson(res: Response, value: object): Promise<void> {
  const entry = serializedOf(value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('ETag', entry.etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (res.req.fresh) {
    res.status(304).end();
    return;
  }
  const encoding: Encoding | null =
    entry.bytes < COMPRESS_FROM_BYTES
      ? null
      : res.req.acceptsEncodings('br') === 'br'
        ? 'br'
        : res.req.acceptsEncodings('gzip') === 'gzip'
          ? 'gzip'
          : null;
  let body: Buffer;
  if (encoding === null) body = bodyOf(value, entry);
  else {
    if (encoding === 'br' && ++entry.brotliSends === 2) void upgradeBrotli(value, entry);
    body = await (entry.compressed[encoding] ??= compress(bodyOf(value, entry), encoding));
    res.setHeader('Content-Encoding', encoding);
  }
  res.setHeader('Content-Length', String(body.length));
  if (res.req.method === 'HEAD') res.end();
  else res.end(body);
}
