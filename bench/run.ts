/**
 * `npm run bench`: measures the product against its own targets (docs/benchmarks.md) at
 * each data scale of BENCH_SCALES (default 1 and 5 times the product's scale) and prints a
 * scale table with the growth of each figure. Steps per scale: seed the sample Jira; sync
 * it twice (a child process each); start the API over the synced data (a child process):
 * a cold request, 30 never-asked queries, five changes each followed by one request, then
 * autocannon; load the tab in headless Chromium; the same API figures on MongoDB when
 * MONGODB_URI is set. Writes bench/results.json and bench/RESULTS.md, refreshes the
 * table in docs/benchmarks.md, and exits 1 when a target is missed or could not be measured.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { demoConfig } from '../server/jira-sample/demoConfig.js';
import { startSampleJira } from '../server/jira-sample/index.js';
import {
  apiFigures,
  freshFigures,
  measureApi,
  measureFresh,
  type ApiBenchResult,
  type FreshAnswers,
} from './apiBench.js';
import { ROOT, startServerChild, type ServerChild } from './children.js';
import {
  checkFigures,
  exitCodeFor,
  RESULTS_PAGE,
  renderResultsMarkdown,
  renderScaleTable,
  renderTable,
  replaceReadmeResults,
  scaleRows,
  scaleSummaryLine,
  summaryLine,
  type CheckedFigure,
  type Figure,
  type ScaleRun,
} from './report.js';
import { atProductScale, atScale, describeSettings, parseBenchSettings, type BenchSettings } from './settings.js';
import { measureSync, type SyncBenchResult } from './syncBench.js';
import { findChromium, firstChartLoads, measureTabSize, tabFigures, type FirstChartLoad } from './tabBench.js';
import { measureWebhooks } from './webhookBench.js';
import type { BudgetReport } from '../client/budget.js';

const startedAt = performance.now();
// Other processes on the machine skew every figure; the table says how busy it was.
const loadAtStart = loadavg()[0] ?? 0;
const log = (line: string) =>
  process.stderr.write(`[bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function main(): Promise<number> {
  const settings = parseBenchSettings(process.env);
  log(`scale: ${describeSettings(settings)}`);
  // The tab is built once (the servers of every scale serve it).
  log('building the tab');
  const size = await measureTabSize();
  if (size.buildProblem) log(`  build: ${size.buildProblem}`);
  const runs: Array<ScaleRun & { details: Record<string, unknown> }> = [];
  for (const scale of settings.scales) {
    log(`--- ${scale}x data ---`);
    const scaled = atScale(settings, scale);
    const { figures, details } = await measureScale(scaled, scale, size);
    runs.push({ scale, figures: checkFigures(figures), details });
  }
  const figures: Figure[] = [];
  // Report.
  const durationSeconds = (performance.now() - startedAt) / 1000;
  figures.push({
    id: 'bench.durationSec',
    group: 'This run',
    label: 'whole benchmark, end to end',
    value: durationSeconds,
    unit: 's',
    target: { max: 600 },
  });
  if (!settings.mongodbUri) {
    figures.push({
      id: 'mongo.skipped',
      group: 'API under load (MongoDB)',
      label: 'not run',
      value: null,
      unit: 'count',
      note: 'MONGODB_URI is not set',
    });
  }
  const checked = checkFigures(figures);
  const everyFigure: CheckedFigure[] = [
    ...runs.flatMap((run) =>
      run.figures.map((f) => ({ ...f, id: `${run.scale}x.${f.id}`, group: `${run.scale}x: ${f.group}` })),
    ),
    ...checked,
  ];
  const cpu = cpus();
  const machine =
    `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}, ${process.platform}` +
    ` (1-minute load average ${loadAtStart.toFixed(1)} at start, ${(loadavg()[0] ?? 0).toFixed(1)} at end)`;
  const finishedAt = new Date().toISOString();
  const results = {
    finishedAt,
    durationSeconds,
    machine,
    settings: { ...settings, mongodbUri: settings.mongodbUri ? '(set)' : null },
    atProductScale: atProductScale(settings),
    passed: exitCodeFor(everyFigure) === 0,
    scales: runs.map((run) => ({
      scale: run.scale,
      passed: exitCodeFor(run.figures) === 0,
      figures: run.figures,
      details: run.details,
    })),
    scaleTable: scaleRows(runs),
    figures: checked,
  };
  const outDir = resolve(ROOT, settings.outDir);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderResultsMarkdown(
    { finishedAt, durationSeconds, machine, settings: describeSettings(settings) },
    runs.length > 1 ? checked : [...(runs[0]?.figures ?? []), ...checked],
    runs,
  );
  writeFileSync(join(outDir, 'RESULTS.md'), markdown);
  if (atProductScale(settings) && outDir === resolve(ROOT, 'bench')) {
    const readmePath = join(ROOT, RESULTS_PAGE);
    const readme = readFileSync(readmePath, 'utf8');
    const table =
      runs.length > 1
        ? `Latest run (${finishedAt.slice(0, 10)}, ${machine}); every figure per scale: [bench/RESULTS.md](../bench/RESULTS.md).\n\n${renderScaleTable(runs)}\n\n${scaleSummaryLine(runs)}`
        : `Latest run (${finishedAt.slice(0, 10)}, ${machine}):\n\n${renderTable(runs[0]?.figures ?? checked)}\n\n${summaryLine(runs[0]?.figures ?? checked)}`;
    const updated = replaceReadmeResults(readme, table);
    if (updated !== readme) writeFileSync(readmePath, updated);
  }

  const printed =
    runs.length > 1
      ? `${renderScaleTable(runs)}\n\n${scaleSummaryLine(runs)}`
      : `${renderTable(runs[0]?.figures ?? checked)}\n\n${summaryLine(runs[0]?.figures ?? checked)}`;
  process.stdout.write(`\n${printed}\n`);
  process.stdout.write(
    `Results: ${join(settings.outDir, 'results.json')}, ${join(settings.outDir, 'RESULTS.md')} (${Math.round(durationSeconds)} s)\n`,
  );
  return exitCodeFor(everyFigure);
}

/** Every figure at one data scale (its own sample Jira, store and server). */
async function measureScale(
  settings: BenchSettings,
  scale: number,
  size: { budget: BudgetReport | null; buildProblem: string | null },
): Promise<{ figures: Figure[]; details: Record<string, unknown> }> {
  const workDir = mkdtempSync(join(tmpdir(), 'pmi-bench-'));
  const configFile = join(workDir, 'postmortem-insights.config.json');
  // The sample Jira's own field mapping (its custom fields, SEV-n severities), as demo mode uses it.
  writeFileSync(configFile, JSON.stringify(demoConfig, null, 2));
  // Children get a clean environment: only what they need, nothing from a real Jira setup.
  const base: NodeJS.ProcessEnv = {
    ...(process.env.PATH ? { PATH: process.env.PATH } : {}),
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    AUTH_MODE: 'none',
    LOG_LEVEL: 'warn',
    TIMEZONE: 'UTC',
    CONFIG_FILE: configFile,
  };
  const embeddedEnv = { ...base, DATA_DIR: join(workDir, 'data') };
  const mongoEnv = settings.mongodbUri ? { ...base, MONGODB_URI: settings.mongodbUri } : null;

  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  // The contract's load-test target (metrics p95 within 2x of health) is over the product's data.
  const ratioTarget = scale === 1 ? 2 : null;
  try {
    // 1. Sync at scale.
    log(`seeding the sample Jira (${settings.incidents} incidents, ${settings.actionItems} action items)`);
    const jira = await startSampleJira({
      seed: { incidents: settings.incidents, actionItems: settings.actionItems, seed: 20261127 },
      latencyMs: settings.latencyMs,
    });
    log(`  seeded in ${Math.round(jira.seedMs)} ms`);
    details.seedMs = jira.seedMs;
    const expected = { incidents: settings.incidents, actionItems: settings.actionItems };
    let sync: SyncBenchResult;
    let mongoSync: SyncBenchResult | null = null;
    try {
      sync = await measureSync(jira, embeddedEnv, expected, {
        group: 'Sync at scale',
        timeoutMs: 240_000 * scale,
        onStep: log,
        latencyTarget: scale === 1 ? 1.1 : null,
      });
      if (mongoEnv) {
        log('MongoDB: syncing the same data into the bench database');
        mongoSync = await measureSync(jira, { ...mongoEnv, BENCH_FULL_SYNC: '1' }, expected, {
          group: 'Sync at scale, MongoDB',
          timeoutMs: 240_000,
          onStep: log,
        });
      }
    } finally {
      await jira.close();
    }
    figures.push(...sync.figures);
    details.sync = { first: sync.first, second: sync.second, error: sync.error };
    if (mongoSync) {
      // Context only: the targets are checked on the embedded run above.
      figures.push(
        ...mongoSync.figures
          .filter((f) => f.id !== 'sync.unchanged.requests' && f.id !== 'sync.unchanged.requestsPerQuery')
          .map(({ target: _target, ...f }) => ({ ...f, id: `mongo.${f.id}` })),
      );
      details.mongoSync = { first: mongoSync.first, error: mongoSync.error };
    }

    // 3. API under load, then the tab in Chromium, on the embedded store.
    let api: ApiBenchResult | null = null;
    let loads: FirstChartLoad[] = [];
    let tabSkipped: string | null = null;
    let server: ServerChild | null = null;
    let fresh: FreshAnswers = {
      newQueries: null,
      healthSequential: null,
      afterChange: [],
      afterChangeRacing: [],
      changeToAnnounced: [],
      failures: [],
      serverPeakRssBytes: null,
      error: 'not run',
    };
    try {
      log('starting the API server over the synced data');
      server = await startServerChild(embeddedEnv, 120_000 * scale);
      log(`  listening after ${Math.round(server.startMs)} ms`);
      const liveServer = server;
      // Where the server's peak comes from: its memory after each step, in the log.
      const memoryStep = (step: string) => {
        const memory = liveServer.memory();
        if (memory)
          log(
            `  server memory ${step}: RSS ${Math.round(memory.rssBytes / 1048576)} MB, peak ${Math.round(memory.peakRssBytes / 1048576)} MB`,
          );
      };
      memoryStep('when listening');
      details.serverStartMs = server.startMs;
      api = await measureApi(server.url, {
        ...settings,
        prefix: 'api',
        group: `API under load (embedded store)`,
        ratioTarget,
        onStep: log,
        afterCold: async () => {
          memoryStep('after the cold request');
          fresh = { ...(await measureFresh(liveServer, new Date(), log)), serverPeakRssBytes: null };
          memoryStep('after never-asked queries and changes');
        },
      });
      memoryStep('after the load tests');
      const chromium = findChromium();
      if (chromium) {
        log(`tab: ${settings.tabLoads} loads in headless Chromium`);
        loads = await firstChartLoads(`${server.url}/tab`, chromium, settings.tabLoads);
        memoryStep('after the tab loads');
      } else {
        tabSkipped = 'Chromium not found at /usr/bin/chromium (apt-get install -y chromium) or CHROMIUM_PATH';
      }
    } catch (error) {
      log(`  failed: ${message(error)}`);
      tabSkipped ??= message(error);
      api ??= { figures: [], cold: null, health: null, metrics: null, error: message(error) };
    } finally {
      fresh.serverPeakRssBytes = server?.memory()?.peakRssBytes ?? null;
      await server?.stop();
    }
    if (api.figures.length === 0) {
      api.figures = apiFigures('api', 'API under load (embedded store)', api, settings.connections, ratioTarget);
    }
    figures.push(...api.figures);
    figures.push({
      id: 'api.serverStartMs',
      group: 'API under load (embedded store)',
      label: 'API server: spawn to listening (store opened, metrics state prepared)',
      value: typeof details.serverStartMs === 'number' ? details.serverStartMs : null,
      unit: 'ms',
    });
    figures.push(...freshFigures('api', 'Answers the cache cannot hold (embedded store)', fresh));
    figures.push(
      ...tabFigures(
        'The tab',
        size.budget,
        size.buildProblem,
        loads,
        loads.length === 0 ? tabSkipped : null,
        scale === 1 ? 1000 : 1500,
      ),
    );
    details.fresh = fresh;
    details.api = { cold: api.cold, health: api.health, metrics: api.metrics, error: api.error };
    details.tab = { budget: size.budget, buildProblem: size.buildProblem, loads };

    // 4. The same API figures on MongoDB.
    if (mongoEnv) {
      let mongoApi: ApiBenchResult = { figures: [], cold: null, health: null, metrics: null, error: null };
      let mongoServer: ServerChild | null = null;
      try {
        log('MongoDB: starting the API server');
        mongoServer = await startServerChild(mongoEnv, 120_000);
        mongoApi = await measureApi(mongoServer.url, {
          ...settings,
          prefix: 'mongo.api',
          group: 'API under load (MongoDB)',
          ratioTarget,
          onStep: log,
        });
      } catch (error) {
        mongoApi.error = message(error);
        mongoApi.figures = apiFigures(
          'mongo.api',
          'API under load (MongoDB)',
          mongoApi,
          settings.connections,
          ratioTarget,
        );
      } finally {
        await mongoServer?.stop();
      }
      figures.push(...mongoApi.figures);
      details.mongoApi = {
        cold: mongoApi.cold,
        health: mongoApi.health,
        metrics: mongoApi.metrics,
        error: mongoApi.error,
      };
    } else {
      log('MongoDB leg skipped: MONGODB_URI is not set');
    }
    // Jira webhooks: answer time, delivery to visible under a burst, cost of one change (at the product's scale).
    if (scale === 1) {
      const webhooks = await measureWebhooks(settings, join(workDir, 'webhooks'), log);
      figures.push(...webhooks.figures);
      details.webhooks = webhooks.details;
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  return { figures, details };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`npm run bench failed: ${message(error)}\n`);
    process.exit(1);
  },
);
