/** What only the embedded store has to prove: durability across reopen and one writer per DATA_DIR. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
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
