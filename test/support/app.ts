/** An app over a real embedded store in a temp DATA_DIR, for supertest. */
import { rmSync } from 'node:fs';
import { loadConfig, type Config } from '../../server/config/config.js';
import { createApp } from '../../server/http/app.js';
import type { AppDeps } from '../../server/http/deps.js';
import { createLogger } from '../../server/logging.js';
import { EmbeddedStore } from '../../server/store/embedded/EmbeddedStore.js';
import { tempDir } from './stores.js';

export interface TestApp extends AppDeps {
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

export async function testApp(env: Record<string, string> = {}, overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const dataDir = tempDir('pmi-app-');
  const config: Config = loadConfig({ DATA_DIR: dataDir, CONFIG_FILE: undefined, ...env });
  const store = await EmbeddedStore.create(dataDir);
  const deps: AppDeps = { config, store, logger: createLogger('silent'), now: () => new Date(), ...overrides };
  return {
    ...deps,
    app: createApp(deps),
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
