/**
 * The post-mortem reader is a service the composition root builds once: its worker belongs
 * to it (no module-level worker), and closing it stops that worker.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { PostmortemReader } from '../../server/postmortem/read.js';

const template = readFileSync(new URL('../fixtures/postmortems/template-filled.md', import.meta.url), 'utf8');
const now = new Date('2026-11-20T12:00:00.000Z');

describe('PostmortemReader', () => {
  it('reads in its own worker, stops it on close, and starts a new one when asked again', async () => {
    const reader = new PostmortemReader();
    const other = new PostmortemReader();
    const first = await reader.read(template, { now });
    expect(first.postmortem).toBeDefined();
    const worker = (reader as unknown as { worker: { thread: unknown } | null }).worker;
    expect(worker).not.toBeNull();
    // Another reader has its own worker (or none yet): nothing is shared through the module.
    expect((other as unknown as { worker: unknown }).worker).toBeNull();
    await reader.close();
    expect((reader as unknown as { worker: unknown }).worker).toBeNull();
    const again = await reader.read(template, { now });
    expect(again.postmortem).toEqual(first.postmortem);
    await reader.close();
  });
});
