/**
 * sendJson's encodings of an answer asked for again: the fast one first, then, in the
 * background, quality 6 (soon) and quality 11 (seconds later at this size), each replacing
 * the bytes sent once ready.
 */
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import {
  encodeAhead,
  FIRST_BROTLI_QUALITY,
  QUALITY_11_MAX_BYTES,
  RELEASE_BODY_FROM_BYTES,
  sendJson,
  UPGRADE_BROTLI_QUALITIES,
  upgradeQualities,
} from '../../../server/http/routes/sendJson.js';

function brotliLength(body: Buffer, quality: number): number {
  return brotliCompressSync(body, {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: quality, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }).length;
}

describe('sendJson', () => {
  it('sends an answer asked for again at quality 6 soon after the second request, then at quality 11', async () => {
    // About 600 KB of incident keys, like the recurrence lists of a metrics answer.
    let seed = 7;
    const keys = Array.from({ length: 50_000 }, () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return `OPS-${seed % 200_000}`;
    });
    const answer = { items: [{ key: 'ACT-1', incidents: keys }] };
    const app = express();
    app.get('/answer', (_req, res, next) => void sendJson(res, answer).catch(next));
    const body = Buffer.from(JSON.stringify(answer), 'utf8');
    const lengths = [FIRST_BROTLI_QUALITY, ...UPGRADE_BROTLI_QUALITIES].map((quality) => brotliLength(body, quality));
    const [fast, , smallest] = lengths;
    expect(new Set(lengths).size).toBe(3);

    const sent = async () => {
      const res = await request(app).get('/answer').set('Accept-Encoding', 'br').expect(200);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.body).toEqual(answer);
      return Number(res.headers['content-length']);
    };
    expect(await sent()).toBe(fast);
    const seen: number[] = [await sent()];
    for (let wait = 0; wait < 600 && seen[seen.length - 1] !== smallest; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen.push(await sent());
    }
    const distinct = seen.filter((length, i) => i === 0 || length !== seen[i - 1]);
    expect(distinct).toEqual(distinct[0] === fast ? lengths : lengths.slice(1));
  }, 30_000);

  it('sends an answer encoded ahead with the bytes made before the request, serialised once', async () => {
    let serialisations = 0;
    const keys = Array.from({ length: 2_000 }, (_, i) => `OPS-${i}`);
    const answer = {
      toJSON() {
        serialisations += 1;
        return { incidents: keys };
      },
    };
    await encodeAhead(answer);
    expect(serialisations).toBe(1);
    const app = express();
    app.get('/answer', (_req, res, next) => void sendJson(res, answer).catch(next));
    const res = await request(app).get('/answer').set('Accept-Encoding', 'br').expect(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.body).toEqual({ incidents: keys });
    const body = Buffer.from(JSON.stringify({ incidents: keys }), 'utf8');
    expect(Number(res.headers['content-length'])).toBe(brotliLength(body, FIRST_BROTLI_QUALITY));
    expect(serialisations).toBe(1);
  });

  it('keeps quality 11 for answers up to 1 MB: a larger one stops at quality 6', () => {
    expect(upgradeQualities(600 * 1024)).toEqual([6, 11]);
    expect(upgradeQualities(QUALITY_11_MAX_BYTES)).toEqual([6, 11]);
    expect(upgradeQualities(QUALITY_11_MAX_BYTES + 1)).toEqual([6]);
    expect(upgradeQualities(25 * 1024 * 1024)).toEqual([6]);
  });

  it('lets the JSON of a large answer go once its Brotli encodings are made, and serialises it again for a client without Brotli', async () => {
    let serialisations = 0;
    const keys = Array.from({ length: 150_000 }, (_, i) => `OPS-${(i * 7919) % 1_000_003}`);
    const answer = {
      toJSON() {
        serialisations += 1;
        return { incidents: keys };
      },
    };
    const body = Buffer.from(JSON.stringify({ incidents: keys }), 'utf8');
    expect(body.length).toBeGreaterThan(RELEASE_BODY_FROM_BYTES);
    const app = express();
    app.get('/answer', (_req, res, next) => void sendJson(res, answer).catch(next));
    const brotli = async () =>
      Number((await request(app).get('/answer').set('Accept-Encoding', 'br').expect(200)).headers['content-length']);
    await brotli();
    await brotli(); // starts the upgrade (quality 6 only at this size)
    const quality6 = brotliLength(body, 6);
    for (let wait = 0; wait < 500 && (await brotli()) !== quality6; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(await brotli()).toBe(quality6);
    expect(serialisations).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const plain = await request(app).get('/answer').set('Accept-Encoding', 'identity').expect(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual({ incidents: keys });
    expect(serialisations).toBe(2);
  }, 30_000);
});
