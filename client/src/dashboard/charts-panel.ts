/**
 * The charts section: one figure a chart, each with its summary and a data table (the text
 * alternative, drawn from the same spec as the canvas, so the two cannot disagree). The
 * panel owns the chart.js instances: it redraws them for a new theme and destroys them
 * before the page is drawn again.
 */
import type { Chart } from 'chart.js';
import type { MetricsResponse } from '../../../server/domain/api.js';
import { allCharts, TIME_METRIC_LABELS, TIME_METRIC_ORDER, timePerWeek, type ChartSpec } from '../chart-data.js';
import { drawChart } from '../charts.js';
import { h, table } from '../dom.js';
import type { Theme } from '../teams.js';
import type { TimeMetricName } from '../view-state.js';

export class ChartsPanel {
  private charts: Chart[] = [];
  private specs: ChartSpec[] = [];
  private section: HTMLElement | null = null;
  private metrics: MetricsResponse | null = null;

  /** `onMetric` is called when the user picks the time metric of the per-week chart. */
  constructor(
    private theme: Theme,
    private readonly onMetric: (metric: TimeMetricName) => void,
  ) {}

  /** The section for a metrics answer; call `draw` once it is in the page. */
  render(metrics: MetricsResponse, metric: TimeMetricName): HTMLElement {
    this.destroy();
    this.metrics = metrics;
    this.specs = allCharts(metrics, metric);
    this.section = h(
      'section',
      { class: 'charts', 'aria-label': 'Charts' },
      ...this.specs.map((spec) => figure(spec, metric, this.onMetric)),
    );
    return this.section;
  }

  /** Draws every chart of the section (again), in the current theme. */
  draw(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    for (const spec of this.specs) {
      const canvas = this.section?.querySelector<HTMLCanvasElement>(`[data-chart="${spec.id}"] canvas`);
      if (canvas) this.charts.push(drawChart(canvas, spec, this.theme));
    }
    if (this.charts.length && !performance.getEntriesByName('first-chart').length) performance.mark('first-chart');
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.draw();
  }

  /** Shows another time metric in the per-week chart, keeping the focus on its button. */
  showMetric(metric: TimeMetricName): void {
    const index = this.specs.findIndex((s) => s.id === 'time-per-week');
    const spec = this.metrics ? timePerWeek(this.metrics, metric) : undefined;
    const old = this.section?.querySelector('[data-chart="time-per-week"]');
    if (!spec || !old) return;
    this.specs[index] = spec;
    old.replaceWith(figure(spec, metric, this.onMetric));
    this.draw();
    (this.section?.querySelector(`[data-metric="${metric}"]`) as HTMLElement | null)?.focus();
  }

  /** Destroys the charts (before the page is drawn again or shows an incident). */
  destroy(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    this.specs = [];
    this.section = null;
    this.metrics = null;
  }
}

function figure(spec: ChartSpec, metric: TimeMetricName, onMetric: (metric: TimeMetricName) => void): HTMLElement {
  const metricSwitch =
    spec.id === 'time-per-week'
      ? h(
          'div',
          { class: 'switch', role: 'group', 'aria-label': 'Time metric' },
          ...TIME_METRIC_ORDER.map((name) =>
            h(
              'button',
              {
                type: 'button',
                'data-metric': name,
                'aria-pressed': String(metric === name),
                onclick: () => onMetric(name),
              },
              TIME_METRIC_LABELS[name].short,
            ),
          ),
        )
      : null;
  return h(
    'figure',
    { class: 'chart', id: `chart-${spec.id}`, 'data-chart': spec.id },
    h('figcaption', {}, h('h2', {}, spec.title), metricSwitch),
    spec.labels.length
      ? h('div', { class: 'canvas-box' }, h('canvas', { role: 'img', 'aria-label': `${spec.title}. ${spec.summary}` }))
      : h('p', { class: 'state empty' }, 'Nothing to draw for this window.'),
    h('p', { class: 'summary' }, spec.summary),
    h('details', { class: 'alt' }, h('summary', {}, 'Data table'), dataTable(spec)),
  );
}

/**
 * The chart as a table: a row per label, a column per series. Each number is a `<data>`
 * element whose value is exact (the cell shows it rounded), so what is read from the table
 * is what the chart plots.
 */
function dataTable(spec: ChartSpec): HTMLElement {
  const headers = ['Label', ...spec.series.map((s) => `${s.label} (${spec.unit})`)];
  const rows = spec.labels.map((label, i) => [label, ...spec.series.map((s) => cell(s.data[i]))]);
  return table(spec.title, headers, rows);
}

function cell(value: number | null | undefined): HTMLElement | string {
  if (value == null) return '—';
  return h('data', { value: String(value) }, Number.isInteger(value) ? String(value) : value.toFixed(2));
}
