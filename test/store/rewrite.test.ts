/**
 * The embedded store's rewrite of a whole datafile (server/store/embedded/rewrite.ts): the
 * same bytes NeDB's own rewrite writes, without holding every line and every buffer at once.
 */
import { describe, expect, it } from '@jest/globals';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { Datastore } from '../../server/store/embedded/collection.js';
import { rewriteInBatches } from '../../server/store/embedded/rewrite.js';
import { makeIncident } from '../support/factories.js';
import { tempDir } from '../support/stores.js';

/** NeDB datafile lines of `count` incidents, each about 1.3 KB. */
function incidentLines(count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const incident = makeIncident({ key: `OPS-${i + 1}`, summary: `Incident ${i + 1} `.padEnd(1000, 'x') });
    lines.push(JSON.stringify({ ...incident, _id: `id${String(i).padStart(14, '0')}` }));
  }
  return lines;
}

describe('rewriting a datafile', () => {
  it('writes the bytes NeDB itself writes: each record once, its latest version, dates as $$date, the index definitions', async () => {
    const dir = tempDir();
    const lines = incidentLines(300);
    // An update (a later line with the same _id), a removal, a Date, an index definition.
    lines.push(JSON.stringify({ ...JSON.parse(lines[5] as string), summary: 'updated' }));
    lines.push(JSON.stringify({ $$deleted: true, _id: JSON.parse(lines[7] as string)._id }));
    lines.push(JSON.stringify({ _id: 'dated', key: 'OPS-dated', at: { $$date: Date.UTC(2026, 0, 2) } }));
    lines.push(JSON.stringify({ $$indexCreated: { fieldName: 'key', unique: true, sparse: false } }));
    const source = join(dir, 'source.db');
    writeFileSync(source, `${lines.join('\n')}\n`);

    const written: Record<'nedb' | 'batches', string> = { nedb: '', batches: '' };
    for (const way of ['nedb', 'batches'] as const) {
      const filename = join(dir, `${way}.db`);
      copyFileSync(source, filename);
      const store = new Datastore({ filename });
      if (way === 'batches') rewriteInBatches(store);
      await store.loadDatabaseAsync();
      await store.ensureIndexAsync({ fieldName: 'status' });
      await store.compactDatafileAsync();
      written[way] = readFileSync(filename, 'utf8');
    }
    expect(written.batches).toBe(written.nedb);
    const out = written.batches.trimEnd().split('\n');
    expect(out).toHaveLength(300 - 1 + 1 + 2);
    expect(out.filter((line) => line.includes('"summary":"updated"'))).toHaveLength(1);
    expect(out).toContain('{"_id":"dated","key":"OPS-dated","at":{"$$date":1767312000000}}');
    expect(out.slice(-2)).toEqual([
      '{"$$indexCreated":{"fieldName":"key","unique":true,"sparse":false}}',
      '{"$$indexCreated":{"fieldName":"status","unique":false,"sparse":false}}',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens a 40 MB datafile without queueing it whole in buffers, and keeps every record', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'incidents.db'), `${incidentLines(30_000).join('\n')}\n`);
    const base = process.memoryUsage().arrayBuffers;
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 1);
    const store = await EmbeddedStore.create(dir);
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    try {
      expect((await store.counts()).incidents).toBe(30_000);
      expect((await store.getIncident('OPS-30000'))?.summary).toMatch(/^Incident 30000 x+$/);
      // NeDB's own rewrite queued all 40 MB at once here (47 MB of buffers at the peak: its
      // write stream never waits); the batches leave the read side's uncollected buffers (~12 MB).
      expect((peak - base) / 1048576).toBeLessThan(24);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
