/**
 * The key numbers: incidents, TTD/TTA/TTR, action items and the on-time rate, each against
 * the previous window, with its formula on hover/focus and a link to the list behind it.
 */
import type { ChangeSignificance, MetricsResponse, TimeMetric } from '../../../server/domain/api.js';
import { TIME_METRIC_LABELS, TIME_METRIC_ORDER } from '../chart-data.js';
import { h } from '../dom.js';
import { compare, formatDuration, formatRate, withSignificance, type Comparison } from '../format.js';
import { formulaText } from '../formulas.js';
import type { TimeMetricName } from '../view-state.js';

/** The tiles of a metrics answer; `windowName` is how the window reads ("last 90 days"). */
export function tilesSection(metrics: MetricsResponse, windowName: string): HTMLElement {
  const f = metrics.formulas;
  const prev = metrics.previous;
  return h(
    'section',
    { class: 'tiles', 'aria-label': 'Key numbers' },
    tile({
      id: 'incidents',
      label: 'Incidents',
      href: '#incidents',
      values: [
        {
          text: String(metrics.incidents.total),
          note: windowName,
          comparison: withSignificance(
            compare(metrics.incidents.total, prev?.incidents.total, { lowerIsBetter: true, format: String }),
            metrics.change?.incidents,
            'Exact binomial test',
          ),
        },
      ],
      formula: formulaText(f, 'inRange', 'previous', 'changeIncidents'),
    }),
    ...TIME_METRIC_ORDER.map((name) =>
      timeTile(
        name,
        metrics[name],
        prev?.[name],
        metrics.change?.[name],
        formulaText(f, name, 'median', 'p90', 'previous', 'changeDurations'),
      ),
    ),
    tile({
      id: 'action-items',
      label: 'Action items',
      href: '#overdue',
      values: [
        {
          text: String(metrics.actionItems.open),
          note: 'open',
          comparison: compare(metrics.actionItems.open, prev?.actionItems.open, {
            lowerIsBetter: true,
            format: String,
          }),
        },
        {
          text: String(metrics.actionItems.overdue),
          note: 'overdue',
          comparison: compare(metrics.actionItems.overdue, prev?.actionItems.overdue, {
            lowerIsBetter: true,
            format: String,
          }),
        },
      ],
      formula: formulaText(f, 'actionItems', 'overdue'),
    }),
    tile({
      id: 'on-time',
      label: 'On-time rate',
      href: '#action-items',
      values: [
        {
          text: formatRate(metrics.actionItems.onTimeRate),
          note: `of ${metrics.actionItems.done} done`,
          comparison: compare(metrics.actionItems.onTimeRate, prev?.actionItems.onTimeRate, {
            lowerIsBetter: false,
            format: formatRate,
          }),
        },
      ],
      formula: formulaText(f, 'onTimeRate', 'previous'),
    }),
  );
}

interface TileValue {
  text: string;
  note: string;
  comparison: Comparison | null;
}

function tile(spec: { id: string; label: string; href: string; values: TileValue[]; formula: string }): HTMLElement {
  const formulaId = `formula-${spec.id}`;
  return h(
    'a',
    { class: 'tile', href: spec.href, title: spec.formula, 'data-tile': spec.id, 'aria-describedby': formulaId },
    h('span', { class: 'tile-label' }, spec.label),
    ...spec.values.map((v) =>
      h(
        'span',
        { class: 'tile-row' },
        h('span', { class: 'tile-value' }, v.text),
        ' ',
        h('span', { class: 'tile-note' }, v.note),
        v.comparison ? delta(v.comparison) : null,
      ),
    ),
    h('span', { class: 'formula', id: formulaId, role: 'note' }, spec.formula),
  );
}

/** ▲/▼/= and the change in words; green or red only when the change is significant. */
function delta(comparison: Comparison): HTMLElement {
  const tone = comparison.better == null ? '' : comparison.better ? 'better' : 'worse';
  return h(
    'span',
    {
      class: `delta ${comparison.direction} ${tone}${comparison.noise ? ' noise' : ''}`,
      ...(comparison.test ? { title: comparison.test, 'data-test': comparison.test } : {}),
    },
    h(
      'span',
      { 'aria-hidden': 'true' },
      comparison.direction === 'up' ? '▲ ' : comparison.direction === 'down' ? '▼ ' : '= ',
    ),
    comparison.text,
    comparison.test ? h('span', { class: 'sr-only' }, ` (${comparison.test})`) : null,
  );
}

function timeTile(
  name: TimeMetricName,
  metric: TimeMetric,
  previous: TimeMetric | undefined,
  change: ChangeSignificance | undefined,
  formula: string,
): HTMLElement {
  const label = TIME_METRIC_LABELS[name];
  const options = { lowerIsBetter: true, format: formatDuration };
  return tile({
    id: name,
    label: `${label.short} · ${label.long}`,
    href: '#incidents',
    values: [
      {
        text: formatDuration(metric.medianSeconds),
        note: 'median',
        comparison: withSignificance(
          compare(metric.medianSeconds, previous?.medianSeconds, options),
          change,
          'Mann-Whitney U test of the medians',
        ),
      },
      {
        text: formatDuration(metric.p90Seconds),
        note: `p90 · n=${metric.count}${metric.missing ? `, ${metric.missing} missing` : ''}${metric.invalid ? `, ${metric.invalid} invalid` : ''}`,
        comparison: compare(metric.p90Seconds, previous?.p90Seconds, options),
      },
    ],
    formula,
  });
}
