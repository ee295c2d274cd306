import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  README_END,
  RESULTS_PAGE,
  README_START,
  checkFigures,
  exitCodeFor,
  formatNumber,
  median,
  percentile,
  ratio,
  renderResultsMarkdown,
  renderScaleTable,
  renderTable,
  replaceReadmeResults,
  scaleRows,
  scaleSummaryLine,
  summarizeLatencies,
  summaryLine,
  verdictOf,
  type Figure,
} from '../../bench/report.js';

describe('percentile (PERCENTILE.INC)', () => {
  it('interpolates between closest ranks', () => {
    // numpy.percentile([1, 2, 3, 4], 95) = 3.85; [15, 20, 35, 40, 50] at 0.4 = 29
    expect(percentile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 10);
    expect(percentile([15, 20, 35, 40, 50], 0.4)).toBeCloseTo(29, 10);
    expect(percentile([15, 20, 35, 40, 50], 0.5)).toBe(35);
  });

  it('returns the ends at 0 and 1, the value itself for one, null for none', () => {
    expect(percentile([3, 7, 9], 0)).toBe(3);
    expect(percentile([3, 7, 9], 1)).toBe(9);
    expect(percentile([42], 0.95)).toBe(42);
    expect(percentile([], 0.5)).toBeNull();
  });

  it('refuses p outside [0, 1]', () => {
    expect(() => percentile([1], 95)).toThrow(/within \[0, 1\]/);
    expect(() => percentile([1], -0.1)).toThrow(RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically (not as text) before taking percentiles', () => {
    const latencies = [100, 9, 20, 3, 1000];
    const summary = summarizeLatencies(latencies);
    expect(summary).toEqual({
      count: 5,
      p50: 20,
      p95: percentile([3, 9, 20, 100, 1000], 0.95),
      p99: percentile([3, 9, 20, 100, 1000], 0.99),
      max: 1000,
    });
    expect(summary.p95).toBeCloseTo(820, 10);
  });

  it('gives nulls for no responses', () => {
    expect(summarizeLatencies([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });
});

describe('ratio and median', () => {
  it('divides, or gives null when a side is missing or the denominator is not positive', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(null, 2)).toBeNull();
    expect(ratio(3, undefined)).toBeNull();
    expect(ratio(3, 0)).toBeNull();
    expect(ratio(3, -1)).toBeNull();
  });

  it('takes the middle of unsorted values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
  });
});

const fig = (over: Partial<Figure>): Figure => ({ id: 'x', group: 'G', label: 'l', value: 1, unit: 'x', ...over });

describe('target checks', () => {
  it('passes at or under the target, fails over it', () => {
    expect(verdictOf(fig({ value: 1.2, target: { max: 1.2 } }))).toBe('pass');
    expect(verdictOf(fig({ value: 1.21, target: { max: 1.2 } }))).toBe('fail');
  });

  it('counts a target that could not be measured as missed, a figure without target as info', () => {
    expect(verdictOf(fig({ value: null, target: { max: 2 } }))).toBe('error');
    expect(verdictOf(fig({ value: null }))).toBe('info');
    expect(verdictOf(fig({ value: 99 }))).toBe('info');
  });

  it('exits non-zero only when a target is missed or not measured', () => {
    expect(exitCodeFor(checkFigures([fig({ value: 1, target: { max: 2 } }), fig({ value: null })]))).toBe(0);
    expect(exitCodeFor(checkFigures([fig({ value: 3, target: { max: 2 } })]))).toBe(1);
    expect(exitCodeFor(checkFigures([fig({ value: null, target: { max: 2 } })]))).toBe(1);
  });
});

describe('formatting', () => {
  it('shows each unit with fitting precision', () => {
    expect(formatNumber(1.234, 'x')).toBe('1.23x');
    expect(formatNumber(44800.6, 'ms')).toBe('44,801 ms');
    expect(formatNumber(42.26, 'ms')).toBe('42.3 ms');
    expect(formatNumber(3.456, 'ms')).toBe('3.46 ms');
    expect(formatNumber(88.74, 'KB')).toBe('88.7 KB');
    expect(formatNumber(703, 'count')).toBe('703');
    expect(formatNumber(159.5, 's')).toBe('160 s');
    expect(formatNumber(2, 'req/query')).toBe('2.0 req/query');
  });

  it('renders one markdown table with each group named once, verdicts, and escaped cells', () => {
    const table = renderTable(
      checkFigures([
        fig({ id: 'a', group: 'Sync', label: 'ratio', value: 1.5, target: { max: 1.2 } }),
        fig({ id: 'b', group: 'Sync', label: 'requests', value: 703, unit: 'count', note: 'a | b' }),
        fig({
          id: 'c',
          group: 'Tab',
          label: 'size',
          value: null,
          unit: 'KB',
          target: { max: 150 },
          note: 'build\nfailed',
        }),
      ]),
    );
    const lines = table.split('\n');
    expect(lines[0]).toBe('| area | figure | value | target | result | note |');
    expect(lines[2]).toBe('| Sync | ratio | 1.50x | <= 1.20x | MISSED |  |');
    expect(lines[3]).toBe('|  | requests | 703 |  |  | a \\| b |');
    expect(lines[4]).toBe('| Tab | size | not measured | <= 150.0 KB | MISSED (not measured) | build failed |');
  });

  it('sums up which targets were missed', () => {
    const ok = checkFigures([fig({ value: 1, target: { max: 2 } })]);
    expect(summaryLine(ok)).toBe('All 1 targets met.');
    const missed = checkFigures([
      fig({ group: 'API', label: 'p95 ratio', value: 2.5, target: { max: 2 } }),
      fig({ value: 1, target: { max: 2 } }),
    ]);
    expect(summaryLine(missed)).toBe('1 of 2 targets missed: API: p95 ratio (2.50x, target <= 2.00x).');
  });

  it('writes RESULTS.md with the run header, the table and the summary', () => {
    const checked = checkFigures([fig({ value: 1, target: { max: 2 } })]);
    const text = renderResultsMarkdown(
      { finishedAt: '2026-11-27T05:00:00.000Z', durationSeconds: 201.4, machine: '2 x CPU', settings: 'scale' },
      checked,
    );
    expect(text).toContain('2026-11-27T05:00:00.000Z, 201 s end to end, on 2 x CPU.');
    expect(text).toContain(renderTable(checked));
    expect(text.trimEnd().endsWith('All 1 targets met.')).toBe(true);
  });
});

describe('replaceReadmeResults', () => {
  it('replaces only the text between the markers', () => {
    const readme = `# A\n\n## Benchmarks\n\nRun it.\n\n${README_START}\nold table\n${README_END}\n\n## Next\n`;
    const updated = replaceReadmeResults(readme, 'new table\n');
    expect(updated).toBe(`# A\n\n## Benchmarks\n\nRun it.\n\n${README_START}\nnew table\n${README_END}\n\n## Next\n`);
    expect(replaceReadmeResults(updated, 'newer')).toContain(`${README_START}\nnewer\n${README_END}`);
  });

  it('finds both markers, in order, in the page a run at product scale rewrites', () => {
    const page = readFileSync(new URL(`../../${RESULTS_PAGE}`, import.meta.url), 'utf8');
    const updated = replaceReadmeResults(page, 'new table');
    expect(updated).not.toBe(page);
    expect(updated).toContain(`${README_START}\nnew table\n${README_END}`);
  });

  it('leaves a README without markers unchanged', () => {
    expect(replaceReadmeResults('# A\n', 'table')).toBe('# A\n');
    expect(replaceReadmeResults(`${README_END} ${README_START}`, 'table')).toBe(`${README_END} ${README_START}`);
  });
});

describe('scale table', () => {
  const fig = (id: string, value: number | null, unit: Figure['unit'], max?: number): Figure => ({
    id,
    group: 'API',
    label: id,
    value,
    unit,
    ...(max === undefined ? {} : { target: { max } }),
  });
  const runs = [
    {
      scale: 1,
      figures: checkFigures([
        fig('cold', 100, 'ms', 1000),
        fig('rss', 200, 'MB'),
        fig('ratio', 1.1, 'x', 2),
        fig('afterChange', 10, 'ms', 100),
      ]),
    },
    {
      scale: 5,
      figures: checkFigures([
        fig('cold', 700, 'ms', 1000),
        fig('rss', 900, 'MB'),
        fig('ratio', 1.3, 'x', 2),
        fig('afterChange', 150, 'ms', 100),
      ]),
    },
  ];

  it('gives each figure at every scale with its growth, and flags growth beyond 6x for 5x data', () => {
    const rows = scaleRows(runs);
    expect(rows.map((r) => [r.id, r.values, r.growth, r.flagged])).toEqual([
      ['cold', [100, 700], 7, true],
      ['rss', [200, 900], 4.5, false],
      ['ratio', [1.1, 1.3], null, false], // a ratio has no growth
      ['afterChange', [10, 150], 15, true],
    ]);
  });

  it('renders the table with missed targets marked and a summary naming the flagged figures', () => {
    const table = renderScaleTable(runs);
    expect(table).toContain('| area | figure | 1x data | 5x data | growth for 5.00x data | flag |');
    expect(table).toContain('| API | cold | 100 ms | 700 ms | 7.00x | grows faster than the data (> 6.00x) |');
    expect(table).toContain('| afterChange | 10.0 ms | 150 ms (MISSED <= 100 ms) | 15.00x |');
    const summary = scaleSummaryLine(runs);
    expect(summary).toContain('5x: 1 of 3 targets missed');
    expect(summary).toContain('Growing faster than the data: cold (7.00x); afterChange (15.00x).');
    const markdown = renderResultsMarkdown(
      { finishedAt: 'T', durationSeconds: 1, machine: 'M', settings: 'S' },
      [],
      runs,
    );
    expect(markdown).toContain('## Scale table');
    expect(markdown).toContain('## 5x data');
  });
});
