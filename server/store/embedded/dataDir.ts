/**
 * DATA_DIR as the embedded store's own: a lock file so that one process writes it (NeDB
 * files must have exactly one writer), the repair of a write a crash cut short, and the
 * datafiles opened with their unique keys.
 */
import {
  closeSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  ActionItem,
  DigestRecord,
  Incident,
  Lease,
  Postmortem,
  SyncRun,
  SyncState,
  TicketRequest,
} from '../../domain/types.js';
import { StoreUnavailableError } from '../../errors.js';
import type { WebhookDelivery } from '../Store.js';
import { Datastore } from './collection.js';
import { rewriteInBatches } from './rewrite.js';

export interface Datafiles {
  incidents: Datastore<Incident>;
  actionItems: Datastore<ActionItem>;
  postmortems: Datastore<Postmortem>;
  syncStates: Datastore<SyncState>;
  syncRuns: Datastore<SyncRun & { seq: number }>;
  leases: Datastore<Lease>;
  digests: Datastore<DigestRecord>;
  ticketRequests: Datastore<TicketRequest>;
  meta: Datastore<{ name: string; value: number }>;
  webhookDeliveries: Datastore<WebhookDelivery>;
}

const UNIQUE_KEYS: Record<keyof Datafiles, string> = {
  incidents: 'key',
  actionItems: 'key',
  postmortems: 'incidentKey',
  syncStates: 'name',
  syncRuns: 'seq',
  leases: 'name',
  digests: 'week',
  ticketRequests: 'idempotencyKey',
  meta: 'name',
  webhookDeliveries: 'id',
};

/** Opens every datafile under `dataDir` (the caller holds its lock), repairing a torn last write. */
export async function openDatafiles(dataDir: string, log: (message: string) => void): Promise<Datafiles> {
  const db = {} as Record<keyof Datafiles, Datastore>;
  for (const name of Object.keys(UNIQUE_KEYS) as Array<keyof Datafiles>) {
    const filename = join(dataDir, `${name}.db`);
    const torn = dropTornLastLine(filename);
    if (torn !== null) {
      log(
        `DATA_DIR ${name}.db: its last write was cut short (the process stopped mid-write); dropped that incomplete record ` +
          `(${torn.bytes} bytes: ${JSON.stringify(torn.preview)}) and kept every complete one.`,
      );
    }
    const store = new Datastore({ filename });
    rewriteInBatches(store);
    await store.loadDatabaseAsync();
    await store.ensureIndexAsync({ fieldName: UNIQUE_KEYS[name], unique: true });
    db[name] = store;
  }
  // Deleting an incident finds the action items that pointed at it.
  await db.actionItems.ensureIndexAsync({ fieldName: 'incidentKey' });
  return db as unknown as Datafiles;
}

/** The lock file of `dataDir`, taken for this process (the lock of a process that is gone is taken over). */
export function lockDataDir(dataDir: string): string {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, '.lock');
  takeDirectoryLock(lockFile, dataDir);
  return lockFile;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Lock files this process holds, so a pid in a lock file can be told from an earlier process with the same pid. */
const heldLocks = new Set<string>();

export function releaseDirectoryLock(lockFile: string): void {
  heldLocks.delete(resolve(lockFile));
  rmSync(lockFile, { force: true });
}

function takeDirectoryLock(lockFile: string, dataDir: string): void {
  if (heldLocks.has(resolve(lockFile))) {
    throw new StoreUnavailableError(
      `DATA_DIR ${dataDir} is already open in this process; close the other store first.`,
    );
  }
  try {
    writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
    heldLocks.add(resolve(lockFile));
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const holder = Number(readFileSync(lockFile, 'utf8').trim());
  // Our own pid here is an earlier process that had it (a restarted container is PID 1 again).
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
    throw new StoreUnavailableError(
      `DATA_DIR ${dataDir} is in use by process ${holder}; stop that process first, point DATA_DIR at another folder, or set MONGODB_URI so several processes can share one store.`,
    );
  }
  // The holder is gone (it crashed or was killed): take the lock over.
  writeFileSync(lockFile, String(process.pid));
  heldLocks.add(resolve(lockFile));
}

/**
 * NeDB ends every record it appends with a newline, so a datafile that does not end with
 * one was cut off mid-append. Cuts that incomplete last line off (a complete record that
 * only lacks its newline gets it back) and says what was dropped.
 */
function dropTornLastLine(filename: string): { bytes: number; preview: string } | null {
  let fd: number;
  try {
    fd = openSync(filename, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const size = fstatSync(fd).size;
    const last = Buffer.alloc(1);
    if (size === 0 || (readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a)) return null;
    // Read back, a chunk at a time, to the newline that ends the last complete line.
    const chunks: Buffer[] = [];
    let start = size;
    let lineStart = 0;
    while (start > 0) {
      const length = Math.min(64 * 1024, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      readSync(fd, chunk, 0, length, start);
      chunks.unshift(chunk);
      const newline = chunk.lastIndexOf(0x0a);
      if (newline !== -1) {
        lineStart = start + newline + 1;
        break;
      }
    }
    const tail = Buffer.concat(chunks)
      .subarray(lineStart - start)
      .toString('utf8');
    try {
      JSON.parse(tail);
      writeSync(fd, '\n', size);
      return null;
    } catch {
      ftruncateSync(fd, lineStart);
      return { bytes: size - lineStart, preview: tail.length > 120 ? `${tail.slice(0, 120)}…` : tail };
    }
  } finally {
    closeSync(fd);
  }
}
