/** An app over a real embedded store in a temp DATA_DIR, for supertest, with the product's services. */
import { rmSync } from 'node:fs';
import { createServices, type ServiceBase, type Services } from '../../server/assembly/index.js';
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

/** `overrides`: the store, clock or logger the services are built on, a tab folder, auth, or a service itself. */
export async function testApp(
  env: Record<string, string> = {},
  overrides: Partial<ServiceBase & Services & Pick<AppDeps, 'tabDir' | 'auth'>> = {},
): Promise<TestApp> {
  const dataDir = tempDir('pmi-app-');
  const config: Config = loadConfig({ DATA_DIR: dataDir, CONFIG_FILE: undefined, ...env });
  const store = await EmbeddedStore.create(dataDir);
  const base: ServiceBase = { config, store, logger: createLogger('silent'), now: () => new Date(), ...overrides };
  const deps: AppDeps = { ...overrides, ...base, ...createServices(base, overrides) };
  return {
    ...deps,
    app: createApp(deps),
    async close() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
