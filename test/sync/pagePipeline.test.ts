/** The sync's page pipeline (server/sync/pagePipeline.ts): order, backpressure, failures. */
import { describe, it, expect } from '@jest/globals';
import { PagePipeline } from '../../server/sync/pagePipeline.js';

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

/** A paged source of `count` pages; records which pages were requested and prepared. */
function source(
  count: number,
  options: { lookahead: number; prepareMs?: (page: number) => number } = { lookahead: 2 },
) {
  const requested: number[] = [];
  const preparedPages: number[] = [];
  const failures = new Map<string, Error>();
  const fetch = async (page: number) => {
    requested.push(page);
    await tick();
    const failure = failures.get(`fetch ${page}`);
    if (failure) throw failure;
    return page;
  };
  return {
    requested,
    preparedPages,
    failures,
    pipeline: () =>
      new PagePipeline<number, string>({
        first: () => fetch(0),
        next: (page) => (page + 1 < count ? fetch(page + 1) : null),
        prepare: async (page) => {
          await tick(options.prepareMs?.(page) ?? 0);
          const failure = failures.get(`prepare ${page}`);
          if (failure) throw failure;
          preparedPages.push(page);
          return `page ${page}`;
        },
        lookahead: options.lookahead,
      }),
  };
}

async function consumeAll(pipeline: PagePipeline<number, string>, seen: string[]): Promise<void> {
  for await (const page of pipeline) seen.push(page);
}

describe('PagePipeline', () => {
  it('hands pages over in order, however long each takes to prepare', async () => {
    const s = source(6, { lookahead: 3, prepareMs: (page) => (page % 2 === 0 ? 30 : 0) });
    const seen: string[] = [];
    for await (const page of s.pipeline()) seen.push(page);
    expect(seen).toEqual(['page 0', 'page 1', 'page 2', 'page 3', 'page 4', 'page 5']);
    // Preparation overlapped: an odd page was ready before the even page ahead of it.
    expect(s.preparedPages).not.toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.requested).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('fetches at most `lookahead` pages ahead of the page being consumed', async () => {
    const s = source(20, { lookahead: 2 });
    const pipeline = s.pipeline();
    await tick(30);
    // Nothing consumed yet: the first two pages only.
    expect(s.requested).toEqual([0, 1]);
    const seen: string[] = [];
    for await (const page of pipeline) {
      seen.push(page);
      await tick(30);
      // While page n is consumed, pages up to n + 2 are read, never further.
      expect(Math.max(...s.requested)).toBe(Math.min(seen.length + 1, 19));
      if (seen.length === 5) break;
    }
    await tick(30);
    // Leaving the loop stops the reading.
    expect(Math.max(...s.requested)).toBe(6);
  });

  it('a failed fetch in the middle: the pages before it are consumed, then the error, and nothing after it is read', async () => {
    const s = source(10, { lookahead: 3 });
    s.failures.set('fetch 3', new Error('Jira answered 503'));
    const seen: string[] = [];
    await expect(consumeAll(s.pipeline(), seen)).rejects.toThrow('Jira answered 503');
    expect(seen).toEqual(['page 0', 'page 1', 'page 2']);
    await tick(30);
    expect(s.requested).toEqual([0, 1, 2, 3]);
  });

  it('a failed preparation stops the consumer at that page', async () => {
    const s = source(10, { lookahead: 2 });
    s.failures.set('prepare 1', new Error('changelog read failed'));
    const seen: string[] = [];
    await expect(consumeAll(s.pipeline(), seen)).rejects.toThrow('changelog read failed');
    expect(seen).toEqual(['page 0']);
    await tick(30);
    // Reading stopped with the consumer: no page past the lookahead of the failed one.
    expect(Math.max(...s.requested)).toBeLessThanOrEqual(3);
  });

  it('close() before consuming stops every fetch not yet sent', async () => {
    const s = source(10, { lookahead: 4 });
    const pipeline = s.pipeline();
    pipeline.close();
    await tick(50);
    expect(s.requested).toEqual([0]);
  });
});
