/** What only the embedded store has to prove: durability across reopen and one writer per DATA_DIR. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreUnavailableError } from '../../server/errors.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { makeIncident } from '../support/factories.js';
import { tempDir } from '../support/stores.js';

describe('EmbeddedStore', () => {
  it('keeps what was written across close and reopen, version included', async () => {
    const dir = tempDir();
    const first = await EmbeddedStore.create(dir);
    await first.upsertIncidents([makeIncident({ key: 'OPS-1' })]);
    const version = await first.dataVersion();
    await first.close();
    const second = await EmbeddedStore.create(dir);
    expect(await second.getIncident('OPS-1')).toEqual(makeIncident({ key: 'OPS-1' }));
    expect(await second.dataVersion()).toBe(version);
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second store on a DATA_DIR that is in use, with a message that says what to do', async () => {
    const dir = tempDir();
    const first = await EmbeddedStore.create(dir);
    await expect(EmbeddedStore.create(dir)).rejects.toBeInstanceOf(StoreUnavailableError);
    // Another live process holds it:
    await first.close();
    writeFileSync(join(dir, '.lock'), String(process.ppid));
    await expect(EmbeddedStore.create(dir)).rejects.toThrow(/in use by process \d+; stop that process first/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes over a lock that names its own pid from an earlier process (a restarted container is PID 1 again)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.lock'), String(process.pid));
    const store = await EmbeddedStore.create(dir);
    await expect(EmbeddedStore.create(dir)).rejects.toThrow(/already open in this process/);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('a datafile whose last write was torn (the process was killed mid-append)', () => {
    async function tornStore() {
      const dir = tempDir();
      const store = await EmbeddedStore.create(dir);
      await store.upsertIncidents(['OPS-1', 'OPS-2', 'OPS-3'].map((key) => makeIncident({ key })));
      await store.close();
      // What a kill mid-append leaves: complete records, then part of the next one, no newline.
      const file = join(dir, 'incidents.db');
      const record = (key: string) =>
        JSON.stringify({ ...makeIncident({ key }), placeAt: makeIncident({ key }).createdAt, _id: `id-${key}` });
      const torn = record('OPS-5').slice(0, 57);
      appendFileSync(file, `${record('OPS-4')}\n${torn}`);
      return { dir, file, torn };
    }

    it('opens, keeps every complete record and logs what it dropped', async () => {
      const { dir, file, torn } = await tornStore();
      const log: string[] = [];
      const store = await EmbeddedStore.create(dir, { log: (message) => log.push(message) });
      expect((await store.findIncidents({})).map((i) => i.key)).toEqual(['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4']);
      expect(await store.counts()).toEqual({ incidents: 4, actionItems: 0 });
      expect(log).toEqual([
        `DATA_DIR incidents.db: its last write was cut short (the process stopped mid-write); dropped that incomplete record (57 bytes: ${JSON.stringify(torn)}) and kept every complete one.`,
      ]);
      // Writes after the repair are whole records again and survive a reopen.
      await store.upsertIncidents([makeIncident({ key: 'OPS-5' })]);
      await store.close();
      expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
      const reopened = await EmbeddedStore.create(dir, { log: (message) => log.push(message) });
      expect((await reopened.findIncidents({})).map((i) => i.key)).toEqual([
        'OPS-1',
        'OPS-2',
        'OPS-3',
        'OPS-4',
        'OPS-5',
      ]);
      expect(log).toHaveLength(1);
      await reopened.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('keeps a last record that is complete but lacks its newline', async () => {
      const { dir, file } = await tornStore();
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\n[^\n]*$/, ''));
      const log: string[] = [];
      const store = await EmbeddedStore.create(dir, { log: (message) => log.push(message) });
      expect((await store.findIncidents({})).map((i) => i.key)).toEqual(['OPS-1', 'OPS-2', 'OPS-3', 'OPS-4']);
      expect(log).toEqual([]);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    });
  });

  it('takes over the lock of a process that died', async () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(dir, '.lock'), dead);
    const store = await EmbeddedStore.create(dir);
    expect(await store.counts()).toEqual({ incidents: 0, actionItems: 0 });
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
