/** The one place that chooses the store from configuration. */
import type { Config } from '../config/config.js';
import { EmbeddedStore } from './embedded/EmbeddedStore.js';
import { MongoStore } from './mongo/MongoStore.js';
import type { Store } from './Store.js';

export async function createStore(config: Pick<Config, 'mongodbUri' | 'dataDir'>): Promise<Store> {
  if (config.mongodbUri !== null) return MongoStore.create(config.mongodbUri);
  return EmbeddedStore.create(config.dataDir);
}
