/**
 * The rewrite of a whole datafile, which NeDB does when it opens a datafile and when it
 * compacts one (at close), done a batch at a time.
 *
 * NeDB's own rewrite serialises every record into one array of lines, then hands every line
 * to a write stream without waiting for the disk (its writeFileLinesAsync ignores
 * backpressure). At five times the product scale (300,000 records, 169 MB of datafiles)
 * opening the store held 170 MB of lines and 157 MB of queued buffers at once, on top of the
 * records themselves: the server's peak RSS at start was 1,050 MB, and the memory freed
 * afterwards stayed in the process (docs/benchmarks.md, "Sixth round").
 *
 * This writes the same lines, in the same order and with the same crash safety as NeDB
 * (the old file flushed, the new one written beside it as `<file>~`, flushed, renamed over
 * it, the folder flushed; NeDB's own open repairs a crash between the two), a megabyte at a
 * time, each batch waiting for the one before.
 */
import { createRequire } from 'node:module';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Datastore } from './collection.js';

const nedb = createRequire(import.meta.url);
/** NeDB's own serialisation (Dates as `{"$$date": ms}`, field names checked). */
const { serialize } = nedb('@seald-io/nedb/lib/model.js') as { serialize: (doc: unknown) => string };
/** NeDB's own fsync of a file or a folder (a folder that cannot be flushed is let be). */
const { existsAsync, flushToStorageAsync } = nedb('@seald-io/nedb/lib/storage.js') as {
  existsAsync: (path: string) => Promise<boolean>;
  flushToStorageAsync: (options: { filename: string; isDir?: boolean }) => Promise<void>;
};

/** Characters written per batch. */
export const REWRITE_BATCH_CHARS = 1 << 20;

interface NedbInternals {
  filename: string;
  indexes: Record<string, { fieldName: string; unique: boolean; sparse: boolean }>;
  persistence: { persistCachedDatabaseAsync: () => Promise<void> };
  emit(event: string): void;
}

/**
 * Makes `store` rewrite its datafile with `rewriteDatafile` (NeDB calls this method, inside
 * its queue of operations, when it loads the datafile and when it compacts it). Call before
 * the datafile is loaded.
 */
export function rewriteInBatches(store: Datastore): void {
  const internals = store as unknown as NedbInternals;
  internals.persistence.persistCachedDatabaseAsync = async () => {
    await rewriteDatafile(internals.filename, store.getAllData(), internals.indexes);
    internals.emit('compaction.done');
  };
}

/** Writes `docs` (and the index definitions besides `_id`) as the whole content of `filename`. */
export async function rewriteDatafile(
  filename: string,
  docs: readonly unknown[],
  indexes: NedbInternals['indexes'],
): Promise<void> {
  const folder = dirname(filename);
  const temp = `${filename}~`;
  await flushToStorageAsync({ filename: folder, isDir: true });
  if (await existsAsync(filename)) await flushToStorageAsync({ filename });
  const handle = await open(temp, 'w', 0o644);
  try {
    let batch = '';
    for (const doc of docs) {
      batch += `${serialize(doc)}\n`;
      if (batch.length >= REWRITE_BATCH_CHARS) {
        await handle.writeFile(batch);
        batch = '';
      }
    }
    for (const { fieldName, unique, sparse } of Object.values(indexes)) {
      if (fieldName !== '_id') batch += `${serialize({ $$indexCreated: { fieldName, unique, sparse } })}\n`;
    }
    if (batch !== '') await handle.writeFile(batch);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, filename);
  await flushToStorageAsync({ filename: folder, isDir: true });
}
