/** The one place that chooses the store from configuration. */
import type { Config } from '../config/config.js';
import { EmbeddedStore } from './embedded/EmbeddedStore.js';
import { MongoStore } from './mongo/MongoStore.js';
import type { Store } from './Store.js';

/** `log`: told what the embedded store repaired on opening after a crash (default: stderr). */
export async function createStore(
  config: Pick<Config, 'mongodbUri' | 'dataDir'>,
  log?: (message: string) => void,
): Promise<Store> {
  if (config.mongodbUri !== null) return MongoStore.create(config.mongodbUri);
  return EmbeddedStore.create(config.dataDir, log ? { log } : {});
}
