/**
 * The API server for the load runs: the same createApp, services and store as `npm start`,
 * with the metrics state prepared before it listens as `npm start` does, without the
 * schedules or demo-mode sync (a sync firing mid-run would measure the sync, not the API).
 * Prints `{"url": ...}` once listening; stops on SIGTERM.
 *
 * On stdin it takes one command, `change N`: it edits N incidents and N action items in
 * the store the way a sync or a webhook delivery would (through the same Store calls, in
 * this process) and prints `{"changed": N, "version": V}`, so the bench can time the
 * first answer after a change.
 */
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config/config.js';
import { createServices } from '../server/assembly/index.js';
import { createApp } from '../server/http/app.js';
import { boundHeapGrowth } from '../server/heap.js';
import { createLogger } from '../server/logging.js';
import { compareKeys } from '../server/metrics/actionItems.js';
import { createStore } from '../server/store/createStore.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const store = await createStore(config);
  const base = { config, store, logger: createLogger(config.logLevel), now: () => new Date() };
  const services = createServices(base);
  // As `npm start` does (server/main.ts): the heap's growth bounded, the metrics state ready
  // before the server listens.
  boundHeapGrowth();
  await services.metrics.warmUp();
  const app = createApp({ ...base, ...services });
  const server = app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://${config.host}:${port}` })}\n`);
  // The records the changes rewrite: the first in the store's own orders (the oldest
  // incidents, the lowest item keys), picked once and then read by key. Read unkeyed with a
  // limit, NeDB sorts every record: 3 s of the server's time at 5x, which no sync spends.
  let changing: Promise<{ incidents: string[]; actionItems: string[] }> | null = null;
  const pick = async () => {
    const { incidents, actionItems } = await store.allRecords();
    const first = <T>(records: readonly T[], compare: (a: T, b: T) => number) =>
      [...records].sort(compare).slice(0, 100);
    return {
      incidents: first(incidents, (a, b) => compareKeys(a.placeAt, b.placeAt) || compareKeys(a.key, b.key)).map(
        (i) => i.key,
      ),
      actionItems: first(actionItems, (a, b) => compareKeys(a.key, b.key)).map((item) => item.key),
    };
  };
  let round = 0;
  createInterface({ input: process.stdin }).on('line', (line) => {
    const match = /^change (\d+)$/.exec(line.trim());
    if (!match) return;
    const count = Number(match[1]);
    round += 1;
    void (async () => {
      const severities = ['P1', 'P2', 'P3'] as const;
      const keys = await (changing ??= pick());
      const incidents = await store.findIncidents({ keys: keys.incidents.slice(0, count) });
      const items = await store.findActionItems({ keys: keys.actionItems.slice(0, count) });
      await store.upsertIncidents(
        incidents.map((incident) => ({
          ...incident,
          summary: `${incident.summary} (bench change ${round})`,
          severity: severities[round % 3] ?? 'P2',
        })),
      );
      await store.upsertActionItems(items.map((item) => ({ ...item, owner: `bench-owner-${round}` })));
      process.stdout.write(`${JSON.stringify({ changed: count, version: await store.dataVersion() })}\n`);
    })();
  });
  process.once('SIGTERM', () => {
    server.close(() => void store.close().then(() => process.exit(0)));
    server.closeAllConnections();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`API server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
