/**
 * The API server for the load runs: the same createApp and store as `npm start`, without
 * the schedules or demo-mode sync (a sync firing mid-run would measure the sync, not the
 * API). Prints `{"url": ...}` once listening; stops on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config/config.js';
import { createApp } from '../server/http/app.js';
import { createLogger } from '../server/logging.js';
import { createStore } from '../server/store/createStore.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const store = await createStore(config);
  const app = createApp({ config, store, logger: createLogger(config.logLevel), now: () => new Date() });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://${config.host}:${port}` })}\n`);
  process.once('SIGTERM', () => {
    server.close(() => void store.close().then(() => process.exit(0)));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`API server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
