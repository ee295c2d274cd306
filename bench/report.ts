/**
 * The pure half of the benchmark suite: percentiles, ratios, target checks and the table.
 * Every figure carries its own target (or none, for figures reported for context), so the
 * table, results.json and the exit code are all derived from one list.
 */
import { percentileInc } from '../server/metrics/stats.js';

export type Unit = 's' | 'ms' | 'x' | 'count' | 'MB' | 'KB' | 'req/s' | 'req/query';

export interface Target {
  /** Every target (docs/benchmarks.md) is an upper bound. */
  max: number;
}

export interface Figure {
  /** Stable id for results.json, e.g. `sync.latencyRatio`. */
  id: string;
  /** The section of the table, e.g. `Sync at scale`. */
  group: string;
  label: string;
  /** Null when it could not be measured (then `note` says why). */
  value: number | null;
  unit: Unit;
  target?: Target;
  note?: string;
}

export type Verdict = 'pass' | 'fail' | 'error' | 'info';

export interface CheckedFigure extends Figure {
  verdict: Verdict;
}

/**
 * Linear interpolation between closest ranks (PERCENTILE.INC): the product's own
 * definition, so "p95" means one thing across the project.
 */
export function percentile(sortedValues: readonly number[], p: number): number | null {
  return percentileInc(sortedValues as number[], p);
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  return {
    count: values.length,
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
    max: values.length > 0 ? (values[values.length - 1] as number) : null,
  };
}

/** numerator / denominator, or null when either is missing or the denominator is not positive. */
export function ratio(numerator: number | null | undefined, denominator: number | null | undefined): number | null {
  if (numerator == null || denominator == null || !(denominator > 0) || !Number.isFinite(numerator)) return null;
  return numerator / denominator;
}

/** Middle value (mean of the two middle ones for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
}

export function verdictOf(figure: Figure): Verdict {
  if (figure.value === null) return figure.target ? 'error' : 'info';
  if (!figure.target) return 'info';
  return figure.value <= figure.target.max ? 'pass' : 'fail';
}

export function checkFigures(figures: readonly Figure[]): CheckedFigure[] {
  return figures.map((figure) => ({ ...figure, verdict: verdictOf(figure) }));
}

/** Non-zero when any target was missed or could not be measured. */
export function exitCodeFor(figures: readonly CheckedFigure[]): number {
  return figures.some((f) => f.verdict === 'fail' || f.verdict === 'error') ? 1 : 0;
}

const DIGITS: Record<Unit, number> = { s: 0, ms: 0, x: 2, count: 0, MB: 0, KB: 1, 'req/s': 0, 'req/query': 1 };

export function formatNumber(value: number, unit: Unit): string {
  let digits = DIGITS[unit];
  // Small millisecond figures (latencies under load) need their decimals to be compared.
  if (unit === 'ms' && Math.abs(value) < 10) digits = 2;
  else if (unit === 'ms' && Math.abs(value) < 100) digits = 1;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === 'x' ? `${text}x` : unit === 'count' ? text : `${text} ${unit}`;
}

export function formatValue(figure: Figure): string {
  return figure.value === null ? 'not measured' : formatNumber(figure.value, figure.unit);
}

export function formatTarget(figure: Figure): string {
  return figure.target ? `<= ${formatNumber(figure.target.max, figure.unit)}` : '';
}

const VERDICT_TEXT: Record<Verdict, string> = { pass: 'ok', fail: 'MISSED', error: 'MISSED (not measured)', info: '' };

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

/** One markdown table, grouped by section in the order the figures come. */
export function renderTable(figures: readonly CheckedFigure[]): string {
  const lines = ['| area | figure | value | target | result | note |', '|---|---|---|---|---|---|'];
  let lastGroup: string | null = null;
  for (const f of figures) {
    const group = f.group === lastGroup ? '' : f.group;
    lastGroup = f.group;
    lines.push(
      `| ${[group, f.label, formatValue(f), formatTarget(f), VERDICT_TEXT[f.verdict], f.note ?? ''].map(cell).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** One line for the console: which targets were missed. */
export function summaryLine(figures: readonly CheckedFigure[]): string {
  const withTarget = figures.filter((f) => f.target);
  const missed = withTarget.filter((f) => f.verdict === 'fail' || f.verdict === 'error');
  if (missed.length === 0) return `All ${withTarget.length} targets met.`;
  return `${missed.length} of ${withTarget.length} targets missed: ${missed.map((f) => `${f.group}: ${f.label} (${formatValue(f)}, target ${formatTarget(f)})`).join('; ')}.`;
}

/** The page whose results table a run at product scale rewrites, relative to the project root. */
export const RESULTS_PAGE = 'docs/benchmarks.md';

/** The figures of one data scale (1 = the product's scale). */
export interface ScaleRun {
  scale: number;
  figures: readonly CheckedFigure[];
}

export interface ScaleRow {
  id: string;
  group: string;
  label: string;
  unit: Unit;
  /** One per run, in the order of the runs; null when that run lacks the figure. */
  values: Array<number | null>;
  /** Largest over smallest scale; null for ratios and rates, or when either is missing. */
  growth: number | null;
  /** Growth beyond GROWTH_FLAG times the growth of the data (6x for 5x data). */
  flagged: boolean;
}

/** A figure growing more than this many times faster than the data is flagged. */
export const GROWTH_FLAG = 1.2;
const NO_GROWTH: readonly Unit[] = ['x', 'req/query', 'req/s'];

/** The figures of several scales side by side, with their growth from the smallest to the largest. */
export function scaleRows(runs: readonly ScaleRun[]): ScaleRow[] {
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (!first || !last) return [];
  const dataGrowth = last.scale / first.scale;
  const ids: string[] = [];
  const byId = new Map<string, CheckedFigure>();
  for (const run of runs) {
    for (const figure of run.figures) {
      if (byId.has(figure.id)) continue;
      ids.push(figure.id);
      byId.set(figure.id, figure);
    }
  }
  return ids.map((id) => {
    const figure = byId.get(id) as CheckedFigure;
    const values = runs.map((run) => run.figures.find((f) => f.id === id)?.value ?? null);
    const from = values[0];
    const to = values[values.length - 1];
    const growth =
      runs.length > 1 && !NO_GROWTH.includes(figure.unit) && from != null && to != null && from > 0 ? to / from : null;
    return {
      id,
      group: figure.group,
      label: figure.label,
      unit: figure.unit,
      values,
      growth,
      flagged: growth !== null && growth > GROWTH_FLAG * dataGrowth,
    };
  });
}

/** The scale table: each figure at every scale (missed targets marked), its growth, and a flag. */
export function renderScaleTable(runs: readonly ScaleRun[]): string {
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (!first || !last) return '';
  const dataGrowth = last.scale / first.scale;
  const header = `| area | figure | ${runs.map((r) => `${r.scale}x data`).join(' | ')} | growth for ${formatNumber(dataGrowth, 'x')} data | flag |`;
  const lines = [header, `|${'---|'.repeat(runs.length + 4)}`];
  let lastGroup: string | null = null;
  for (const row of scaleRows(runs)) {
    const group = row.group === lastGroup ? '' : row.group;
    lastGroup = row.group;
    const cells = runs.map((run, i) => {
      const figure = run.figures.find((f) => f.id === row.id);
      if (!figure) return '';
      const missed = figure.verdict === 'fail' || figure.verdict === 'error';
      const value = row.values[i];
      return `${value === null || value === undefined ? 'not measured' : formatNumber(value, row.unit)}${missed ? ` (MISSED ${formatTarget(figure)})` : ''}`;
    });
    const growth = row.growth === null ? '' : formatNumber(row.growth, 'x');
    const flag = row.flagged ? `grows faster than the data (> ${formatNumber(GROWTH_FLAG * dataGrowth, 'x')})` : '';
    lines.push(`| ${[group, row.label, ...cells, growth, flag].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** One line for the console over several scales. */
export function scaleSummaryLine(runs: readonly ScaleRun[]): string {
  const lines = runs.map((run) => `${run.scale}x: ${summaryLine(run.figures)}`);
  const flagged = scaleRows(runs).filter((row) => row.flagged);
  if (runs.length > 1) {
    lines.push(
      flagged.length === 0
        ? 'No figure grows faster than the data allows.'
        : `Growing faster than the data: ${flagged.map((row) => `${row.label} (${formatNumber(row.growth as number, 'x')})`).join('; ')}.`,
    );
  }
  return lines.join('\n');
}

export const README_START = '<!-- bench:results:start -->';
export const README_END = '<!-- bench:results:end -->';

/** The page (RESULTS_PAGE) with the text between the bench markers replaced; unchanged when they are absent. */
export function replaceReadmeResults(readme: string, content: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start === -1 || end === -1 || end < start) return readme;
  return `${readme.slice(0, start + README_START.length)}\n${content.trim()}\n${readme.slice(end)}`;
}

export interface RunHeader {
  finishedAt: string;
  durationSeconds: number;
  machine: string;
  settings: string;
}

export function renderResultsMarkdown(
  header: RunHeader,
  figures: readonly CheckedFigure[],
  runs: readonly ScaleRun[] = [],
): string {
  if (runs.length > 1) {
    return [
      '# Benchmark results',
      '',
      `Latest \`npm run bench\`: ${header.finishedAt}, ${Math.round(header.durationSeconds)} s end to end, on ${header.machine}.`,
      `Scale: ${header.settings}. How each figure is measured: docs/benchmarks.md. Raw numbers: \`bench/results.json\`.`,
      '',
      '## Scale table',
      '',
      renderScaleTable(runs),
      '',
      scaleSummaryLine(runs),
      '',
      ...runs.flatMap((run) => [`## ${run.scale}x data`, '', renderTable(run.figures), '']),
      '## This run',
      '',
      renderTable(figures),
      '',
    ].join('\n');
  }
  return [
    '# Benchmark results',
    '',
    `Latest \`npm run bench\`: ${header.finishedAt}, ${Math.round(header.durationSeconds)} s end to end, on ${header.machine}.`,
    `Scale: ${header.settings}. How each figure is measured: docs/benchmarks.md. Raw numbers: \`bench/results.json\`.`,
    '',
    renderTable(figures),
    '',
    summaryLine(figures),
    '',
  ].join('\n');
}
