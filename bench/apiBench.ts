/**
 * API under load: autocannon drives one server (a child process) with many concurrent
 * clients, first `GET /api/health`, then `GET /api/metrics` (default window), each after a
 * short unrecorded warm-up. Latencies are collected per response so p95 is exact rather than
 * read off autocannon's fixed percentiles (which have no p95).
 */
import autocannon, { type Result as CannonResult } from 'autocannon';
import { readEvents } from '../client/src/live.js';
import type { ServerChild } from './children.js';
import { median, ratio, summarizeLatencies, type Figure, type LatencySummary } from './report.js';

export interface LoadOptions {
  connections: number;
  durationSec: number;
  warmupSec: number;
}

export interface LoadResult extends LatencySummary {
  path: string;
  requestsPerSecond: number;
  non2xx: number;
  errors: number;
}

/** What the tab's browser (Chromium, Edge in Teams) sends with every request: answers may come compressed. */
export const BROWSER_ACCEPT_ENCODING = 'gzip, deflate, br, zstd';

function cannon(
  url: string,
  connections: number,
  durationSec: number,
  record: ((ms: number, status: number) => void) | null,
) {
  return new Promise<CannonResult>((resolve, reject) => {
    const instance = autocannon(
      { url, connections, duration: durationSec, timeout: 30, headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING } },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    if (record)
      instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => record(ms, status));
  });
}

export async function loadTest(baseUrl: string, path: string, options: LoadOptions): Promise<LoadResult> {
  const url = `${baseUrl}${path}`;
  if (options.warmupSec > 0) await cannon(url, options.connections, options.warmupSec, null);
  const latencies: number[] = [];
  let non2xx = 0;
  const result = await cannon(url, options.connections, options.durationSec, (ms, status) => {
    latencies.push(ms);
    if (status < 200 || status > 299) non2xx += 1;
  });
  return {
    path,
    ...summarizeLatencies(latencies),
    requestsPerSecond: latencies.length / result.duration,
    non2xx,
    errors: result.errors,
  };
}

/** Milliseconds for one request on a freshly started server (nothing cached yet). */
export async function coldRequest(
  baseUrl: string,
  path: string,
): Promise<{ ms: number; status: number; bytes: number }> {
  const started = performance.now();
  // Asked the way the tab's browser asks (it gets Brotli), and decoded as it decodes.
  const response = await fetch(`${baseUrl}${path}`, { headers: { 'accept-encoding': BROWSER_ACCEPT_ENCODING } });
  const body = await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, bytes: body.byteLength };
}

export interface ApiBenchResult {
  figures: Figure[];
  cold: { ms: number; status: number; bytes: number } | null;
  health: LoadResult | null;
  metrics: LoadResult | null;
  error: string | null;
}

function loadNote(result: LoadResult): string | undefined {
  const problems: string[] = [];
  if (result.non2xx > 0) problems.push(`${result.non2xx} answers were not 2xx`);
  if (result.errors > 0) problems.push(`${result.errors} connection errors`);
  return problems.length > 0 ? problems.join(', ') : undefined;
}

/** Figures for one store; a result that was not 2xx throughout does not count as measured. */
export function apiFigures(
  prefix: string,
  group: string,
  results: Pick<ApiBenchResult, 'cold' | 'health' | 'metrics' | 'error'>,
  connections: number,
  /** The product's 2x target holds over its own scale of data; at other scales the ratio is reported only. */
  ratioTarget: number | null = 2,
): Figure[] {
  const figures: Figure[] = [];
  const usable = (r: LoadResult | null) => (r && r.non2xx === 0 && r.errors === 0 && r.count > 0 ? r : null);
  const { cold } = results;
  figures.push({
    id: `${prefix}.coldMetricsMs`,
    group,
    label: 'cold GET /api/metrics (first request after start)',
    value: cold && cold.status === 200 ? cold.ms : null,
    unit: 'ms',
    target: { max: 1000 },
    ...(cold && cold.status !== 200
      ? { note: `answered ${cold.status}` }
      : !cold
        ? { note: results.error ?? 'not run' }
        : {}),
  });
  // Context for the load figures: every answer under load serialises this much JSON.
  figures.push({
    id: `${prefix}.metricsBodyKB`,
    group,
    label: 'GET /api/metrics: response body',
    value: cold && cold.status === 200 ? cold.bytes / 1024 : null,
    unit: 'KB',
  });
  for (const [name, r] of [
    ['metrics', results.metrics],
    ['health', results.health],
  ] as const) {
    const ok = usable(r);
    const note = r ? loadNote(r) : (results.error ?? 'not run');
    const path = name === 'metrics' ? '/api/metrics' : '/api/health';
    for (const p of ['p50', 'p95', 'p99'] as const) {
      figures.push({
        id: `${prefix}.${name}.${p}Ms`,
        group,
        label: `${path}: ${p} latency, ${connections} clients`,
        value: ok ? ok[p] : null,
        unit: 'ms',
        ...(p === 'p50' && note ? { note } : {}),
      });
    }
    figures.push({
      id: `${prefix}.${name}.rps`,
      group,
      label: `${path}: requests per second`,
      value: ok ? ok.requestsPerSecond : null,
      unit: 'req/s',
    });
  }
  figures.push({
    id: `${prefix}.p95Ratio`,
    group,
    label: 'p95 of /api/metrics / p95 of /api/health',
    value: ratio(usable(results.metrics)?.p95, usable(results.health)?.p95),
    unit: 'x',
    ...(ratioTarget === null ? {} : { target: { max: ratioTarget } }),
    ...(results.error
      ? { note: results.error }
      : ratioTarget === null
        ? { note: 'the 2x target is set at the product scale; reported here' }
        : {}),
  });
  return figures;
}

export async function measureApi(
  baseUrl: string,
  options: LoadOptions & {
    prefix: string;
    group: string;
    /** apiFigures' ratioTarget. */
    ratioTarget?: number | null;
    onStep?: (line: string) => void;
    afterCold?: () => Promise<void>;
  },
): Promise<ApiBenchResult> {
  const out: ApiBenchResult = { figures: [], cold: null, health: null, metrics: null, error: null };
  try {
    out.cold = await coldRequest(baseUrl, '/api/metrics');
    options.onStep?.(`  cold /api/metrics: ${Math.round(out.cold.ms)} ms (status ${out.cold.status})`);
    await options.afterCold?.();
    for (const path of ['/api/health', '/api/metrics'] as const) {
      options.onStep?.(
        `  ${path}: ${options.connections} clients for ${options.durationSec} s (after ${options.warmupSec} s warm-up)`,
      );
      const result = await loadTest(baseUrl, path, options);
      if (path === '/api/health') out.health = result;
      else out.metrics = result;
    }
  } catch (caught) {
    out.error = caught instanceof Error ? caught.message : String(caught);
  }
  out.figures = apiFigures(options.prefix, options.group, out, options.connections, options.ratioTarget);
  return out;
}

/**
 * Thirty metrics questions nobody asked before, one after another: windows of 30 to 365
 * days ending at different days, every service of the sample Jira, every severity. The
 * first is at least a day before today, so none is the cached default window.
 */
export function newMetricsQueries(now: Date, services: readonly string[], count = 30): string[] {
  const severities = ['P0', 'P1', 'P2', 'P3', 'P4', 'unknown'];
  const spans = [30, 90, 180, 365, 60, 120];
  const paths: string[] = [];
  let serviceTurn = 0;
  for (let i = 0; i < count; i += 1) {
    const to = new Date(now.getTime() - (1 + i * 3) * 86_400_000);
    const from = new Date(to.getTime() - (spans[i % spans.length] as number) * 86_400_000);
    const params = new URLSearchParams({ from: from.toISOString(), to: to.toISOString() });
    if (i % 3 !== 0 && services.length > 0) params.set('service', services[serviceTurn++ % services.length] as string);
    if (i % 2 === 1) params.set('severity', severities[i % severities.length] as string);
    paths.push(`/api/metrics?${params.toString()}`);
  }
  return paths;
}

/** Latencies of requests sent one after another (each waits for the previous answer). */
export async function sequentialLatencies(
  baseUrl: string,
  paths: readonly string[],
): Promise<{ latencies: number[]; failures: string[] }> {
  const latencies: number[] = [];
  const failures: string[] = [];
  for (const path of paths) {
    const answer = await coldRequest(baseUrl, path);
    latencies.push(answer.ms);
    if (answer.status !== 200) failures.push(`${path} answered ${answer.status}`);
  }
  return { latencies, failures };
}

export interface FreshAnswers {
  newQueries: LatencySummary | null;
  healthSequential: LatencySummary | null;
  /** First GET /api/metrics once /api/events announced the change (as the tab asks it), per change. */
  afterChange: number[];
  /** GET /api/metrics sent the moment the change was written, before any announcement, per change. */
  afterChangeRacing: number[];
  /** From the change written to its announcement on /api/events, per change. */
  changeToAnnounced: number[];
  failures: string[];
  serverPeakRssBytes: number | null;
  error: string | null;
}

/** Figures for answers the cache cannot hold: never-asked queries and the first answer after a change. */
export function freshFigures(prefix: string, group: string, fresh: FreshAnswers): Figure[] {
  const ok = fresh.failures.length === 0 && fresh.error === null;
  const note = fresh.error ?? (fresh.failures.length > 0 ? fresh.failures.slice(0, 3).join('; ') : undefined);
  const afterChange = ok && fresh.afterChange.length > 0 ? median(fresh.afterChange) : null;
  /** A median reported without a target. */
  const reportedMedian = (id: string, label: string, values: readonly number[]): Figure => ({
    id,
    group,
    label,
    value: ok && values.length > 0 ? median(values) : null,
    unit: 'ms',
    ...(values.length > 0 ? { note: eachMs(values) } : {}),
  });
  return [
    {
      id: `${prefix}.newQueries.p95Ms`,
      group,
      label: '30 never-asked /api/metrics queries, one after another: p95',
      value: ok ? (fresh.newQueries?.p95 ?? null) : null,
      unit: 'ms',
      target: { max: 200 },
      ...(note ? { note } : {}),
    },
    {
      id: `${prefix}.newQueries.healthP95Ms`,
      group,
      label: '30 /api/health requests, one after another: p95 (beside the above)',
      value: fresh.healthSequential?.p95 ?? null,
      unit: 'ms',
    },
    {
      id: `${prefix}.afterChange.ms`,
      group,
      label: `first GET /api/metrics after a change (10 incidents, 10 action items), sent when /api/events announces it as the tab does, median of ${fresh.afterChange.length || 'no'} changes`,
      value: afterChange,
      unit: 'ms',
      target: { max: 100 },
      ...(fresh.afterChange.length > 0 ? { note: eachMs(fresh.afterChange) } : note ? { note } : {}),
    },
    reportedMedian(
      `${prefix}.afterChangeRacing.ms`,
      'GET /api/metrics sent the moment a change is written (before it is announced), median',
      fresh.afterChangeRacing,
    ),
    reportedMedian(
      `${prefix}.changeToAnnounced.ms`,
      'a change written to its announcement on /api/events (polled each second, answers refreshed), median',
      fresh.changeToAnnounced,
    ),
    {
      id: `${prefix}.serverPeakRssMB`,
      group,
      label: 'API server: peak RSS (whole run, tab loads included)',
      value: fresh.serverPeakRssBytes === null ? null : fresh.serverPeakRssBytes / 1024 / 1024,
      unit: 'MB',
      target: { max: 1024 },
    },
  ];
}

function eachMs(values: readonly number[]): string {
  return `each: ${values.map((ms) => Math.round(ms)).join(', ')} ms`;
}

/**
 * After the cold request: 30 never-asked queries (and as many /api/health requests beside
 * them), then changes written in the server's process (10 incidents, 10 action items each):
 * five with the default /api/metrics request sent the moment the write returns, nobody
 * listening to /api/events (its cached answer is gone with the change, nothing refreshed
 * it); then five the way the tab meets them: listening to /api/events, the request sent when
 * the change is announced.
 */
export async function measureFresh(
  server: Pick<ServerChild, 'url' | 'command'>,
  now: Date,
  onStep?: (line: string) => void,
): Promise<Omit<FreshAnswers, 'serverPeakRssBytes'>> {
  const out: Omit<FreshAnswers, 'serverPeakRssBytes'> = {
    newQueries: null,
    healthSequential: null,
    afterChange: [],
    afterChangeRacing: [],
    changeToAnnounced: [],
    failures: [],
    error: null,
  };
  try {
    const current = (await (await fetch(`${server.url}/api/metrics`)).json()) as {
      incidents?: { byService?: Record<string, number> };
    };
    const services = Object.keys(current.incidents?.byService ?? {});
    const queries = await sequentialLatencies(server.url, newMetricsQueries(now, services));
    out.newQueries = summarizeLatencies(queries.latencies);
    out.failures.push(...queries.failures);
    const health = await sequentialLatencies(
      server.url,
      Array.from({ length: 30 }, () => '/api/health'),
    );
    out.healthSequential = summarizeLatencies(health.latencies);
    onStep?.(
      `  30 new queries: p95 ${Math.round(out.newQueries.p95 ?? 0)} ms (health one after another: p95 ${(out.healthSequential.p95 ?? 0).toFixed(1)} ms)`,
    );
    const afterChange = async (into: number[]) => {
      const answer = await coldRequest(server.url, '/api/metrics');
      into.push(answer.ms);
      if (answer.status !== 200) out.failures.push(`/api/metrics after a change answered ${answer.status}`);
    };
    for (let round = 0; round < 5; round += 1) {
      await server.command('change 10');
      await afterChange(out.afterChangeRacing);
    }
    onStep?.(`  GET sent the moment a change is written: ${eachMs(out.afterChangeRacing)}`);
    const feed = await announcements(server.url);
    try {
      for (let round = 0; round < 5; round += 1) {
        const { version } = (await server.command('change 10')) as { version: number };
        const started = performance.now();
        await feed.until(version);
        out.changeToAnnounced.push(performance.now() - started);
        await afterChange(out.afterChange);
      }
    } finally {
      feed.close();
    }
    onStep?.(
      `  first answer after a change, sent when announced: ${eachMs(out.afterChange)} (announced after: ${eachMs(out.changeToAnnounced)})`,
    );
  } catch (caught) {
    out.error = caught instanceof Error ? caught.message : String(caught);
  }
  return out;
}

/**
 * GET /api/events read with the tab's own reader (client/src/live.ts): `until(v)` resolves
 * once a version >= v is announced.
 */
async function announcements(baseUrl: string): Promise<{ until(version: number): Promise<void>; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/api/events`, {
    headers: { accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (response.status !== 200 || response.body === null) throw new Error(`/api/events answered ${response.status}`);
  let latest = -Infinity;
  let waiting: { version: number; resolve: () => void } | null = null;
  const ended = readEvents(response.body, (event, data) => {
    if (event !== 'data-version') return;
    latest = Math.max(latest, (JSON.parse(data) as { version: number }).version);
    if (waiting !== null && latest >= waiting.version) waiting.resolve();
  }).then(
    () => Promise.reject(new Error('/api/events ended before announcing the change')),
    (error: unknown) => Promise.reject(error instanceof Error ? error : new Error(String(error))),
  );
  ended.catch(() => undefined); // read by until() only while it waits
  return {
    until: (version) =>
      latest >= version
        ? Promise.resolve()
        : Promise.race([new Promise<void>((resolve) => (waiting = { version, resolve })), ended]),
    close: () => controller.abort(),
  };
}
