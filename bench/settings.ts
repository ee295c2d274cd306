/**
 * What a benchmark run measures. The defaults are the product scale (docs/benchmarks.md); the
 * BENCH_* variables shrink a run for a quick look, and such a run says so in its table.
 */
export interface BenchSettings {
  incidents: number;
  actionItems: number;
  latencyMs: number;
  connections: number;
  durationSec: number;
  warmupSec: number;
  tabLoads: number;
  /** Where results.json and RESULTS.md go (relative to the repository root). */
  outDir: string;
  /** MongoDB leg: the URI the bench writes to (its own database), or null. */
  mongodbUri: string | null;
  /** Multiples of the data size measured in one run, smallest first (BENCH_SCALES, default 1,5). */
  scales: number[];
}

export const PRODUCT_SCALE = {
  incidents: 10_000,
  actionItems: 50_000,
  latencyMs: 20,
  connections: 50,
  durationSec: 20,
  tabLoads: 5,
} as const;

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(
      `${name} must be a whole number of at least ${min}, got "${raw}"; unset it for the product's scale (${fallback}).`,
    );
  }
  return value;
}

/**
 * The bench's own database next to the configured one (`.../app` becomes `.../app-bench`),
 * so a benchmark never writes into the data the product serves.
 */
export function benchMongoUri(uri: string): string {
  // Not WHATWG URL: a replica-set URI lists several host:port pairs, which URL refuses.
  const match = /^(mongodb(?:\+srv)?:\/\/)([^/?]+)(\/[^?]*)?(\?.*)?$/.exec(uri.trim());
  if (!match) {
    throw new Error(
      'MONGODB_URI must look like mongodb://host:27017/database (or mongodb+srv://...); fix it, or unset it to skip the MongoDB leg.',
    );
  }
  const [, scheme, hosts, path, query] = match;
  const db = decodeURIComponent((path ?? '/').slice(1));
  return `${scheme}${hosts}/${encodeURIComponent(`${db || 'postmortem-insights'}-bench`)}${query ?? ''}`;
}

/** BENCH_SCALES: comma-separated multiples of the data size, e.g. `1,5`. */
export function parseScales(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [1, 5];
  const parts = raw.split(',').map((part) => part.trim());
  const scales = parts.map(Number);
  if (scales.some((scale, i) => parts[i] === '' || !Number.isFinite(scale) || scale <= 0)) {
    throw new Error(
      `BENCH_SCALES must list positive multiples of the data size separated by commas, such as 1,5 (got "${raw}").`,
    );
  }
  return [...new Set(scales)].sort((a, b) => a - b);
}

/** The settings of one scale: the data sizes multiplied, everything else the same. */
export function atScale(s: BenchSettings, scale: number): BenchSettings {
  return {
    ...s,
    incidents: Math.round(s.incidents * scale),
    actionItems: Math.round(s.actionItems * scale),
    scales: [scale],
  };
}

export function parseBenchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const mongodbUri = env.MONGODB_URI ? benchMongoUri(env.MONGODB_URI) : null;
  return {
    incidents: positiveInt(env, 'BENCH_INCIDENTS', PRODUCT_SCALE.incidents),
    actionItems: positiveInt(env, 'BENCH_ACTION_ITEMS', PRODUCT_SCALE.actionItems, 0),
    latencyMs: positiveInt(env, 'BENCH_LATENCY_MS', PRODUCT_SCALE.latencyMs, 0),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', PRODUCT_SCALE.connections),
    durationSec: positiveInt(env, 'BENCH_DURATION_SEC', PRODUCT_SCALE.durationSec),
    warmupSec: positiveInt(env, 'BENCH_WARMUP_SEC', 2, 0),
    tabLoads: positiveInt(env, 'BENCH_TAB_LOADS', PRODUCT_SCALE.tabLoads),
    outDir: env.BENCH_OUT || 'bench',
    mongodbUri,
    scales: parseScales(env.BENCH_SCALES),
  };
}

/** True when the run measures the product scale (only such a run updates docs/benchmarks.md). */
export function atProductScale(s: BenchSettings): boolean {
  return (
    s.incidents === PRODUCT_SCALE.incidents &&
    s.actionItems === PRODUCT_SCALE.actionItems &&
    s.latencyMs === PRODUCT_SCALE.latencyMs &&
    s.connections === PRODUCT_SCALE.connections &&
    s.durationSec === PRODUCT_SCALE.durationSec &&
    s.tabLoads === PRODUCT_SCALE.tabLoads
  );
}

export function describeSettings(s: BenchSettings): string {
  const scale = atProductScale(s) ? '' : ' (reduced with BENCH_* variables: not the product scale)';
  const scales =
    s.scales.length > 1 || s.scales[0] !== 1 ? `; data at ${s.scales.map((x) => `${x}x`).join(' and ')} that size` : '';
  return (
    `${s.incidents.toLocaleString('en-US')} incidents, ${s.actionItems.toLocaleString('en-US')} action items, ` +
    `+${s.latencyMs} ms per Jira request; ${s.connections} clients for ${s.durationSec} s per route; ` +
    `${s.tabLoads} tab loads${scales}${scale}`
  );
}
