/**
 * API under load: autocannon drives one server (a child process) with many concurrent
 * clients, first `GET /api/health`, then `GET /api/metrics` (default window), each after a
 * short unrecorded warm-up. Latencies are collected per response so p95 is exact rather than
 * read off autocannon's fixed percentiles (which have no p95).
 */
import autocannon, { type Result as CannonResult } from 'autocannon';
import { ratio, summarizeLatencies, type Figure, type LatencySummary } from './report.js';

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

function cannon(url: string, connections: number, durationSec: number, record: ((ms: number, status: number) => void) | null) {
  return new Promise<CannonResult>((resolve, reject) => {
    const instance = autocannon({ url, connections, duration: durationSec, timeout: 30 }, (error, result) => (error ? reject(error) : resolve(result)));
    if (record) instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => record(ms, status));
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
export async function coldRequest(baseUrl: string, path: string): Promise<{ ms: number; status: number; bytes: number }> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`);
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
    ...(cold && cold.status !== 200 ? { note: `answered ${cold.status}` } : !cold ? { note: results.error ?? 'not run' } : {}),
  });
  // Context for the load figures: every answer under load serialises this much JSON.
  figures.push({ id: `${prefix}.metricsBodyKB`, group, label: 'GET /api/metrics: response body', value: cold && cold.status === 200 ? cold.bytes / 1024 : null, unit: 'KB' });
  for (const [name, r] of [['metrics', results.metrics], ['health', results.health]] as const) {
    const ok = usable(r);
    const note = r ? loadNote(r) : (results.error ?? 'not run');
    const path = name === 'metrics' ? '/api/metrics' : '/api/health';
    for (const p of ['p50', 'p95', 'p99'] as const) {
      figures.push({ id: `${prefix}.${name}.${p}Ms`, group, label: `${path}: ${p} latency, ${connections} clients`, value: ok ? ok[p] : null, unit: 'ms', ...(p === 'p50' && note ? { note } : {}) });
    }
    figures.push({ id: `${prefix}.${name}.rps`, group, label: `${path}: requests per second`, value: ok ? ok.requestsPerSecond : null, unit: 'req/s' });
  }
  figures.push({
    id: `${prefix}.p95Ratio`,
    group,
    label: 'p95 of /api/metrics / p95 of /api/health',
    value: ratio(usable(results.metrics)?.p95, usable(results.health)?.p95),
    unit: 'x',
    target: { max: 2 },
    ...(results.error ? { note: results.error } : {}),
  });
  return figures;
}

export async function measureApi(
  baseUrl: string,
  options: LoadOptions & { prefix: string; group: string; onStep?: (line: string) => void },
): Promise<ApiBenchResult> {
  const out: ApiBenchResult = { figures: [], cold: null, health: null, metrics: null, error: null };
  try {
    out.cold = await coldRequest(baseUrl, '/api/metrics');
    options.onStep?.(`  cold /api/metrics: ${Math.round(out.cold.ms)} ms (status ${out.cold.status})`);
    for (const path of ['/api/health', '/api/metrics'] as const) {
      options.onStep?.(`  ${path}: ${options.connections} clients for ${options.durationSec} s (after ${options.warmupSec} s warm-up)`);
      const result = await loadTest(baseUrl, path, options);
      if (path === '/api/health') out.health = result;
      else out.metrics = result;
    }
  } catch (caught) {
    out.error = caught instanceof Error ? caught.message : String(caught);
  }
  out.figures = apiFigures(options.prefix, options.group, out, options.connections);
  return out;
}
