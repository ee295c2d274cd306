/**
 * The data-quality panel: the entries /api/metrics carried (the first of each list) and,
 * when there are more, "Show all", which fetches the full lists from /api/data-quality
 * with the same filters (rows: data-quality.ts).
 */
import type { MetricsResponse } from '../../../server/domain/api.js';
import type { Filters } from '../api.js';
import { fullRows, previewRows, shownNote, type QualityRow } from '../data-quality.js';
import { errorBox, externalLink, h, table } from '../dom.js';
import { incidentLink, type DashboardContext } from './context.js';

export function dataQualitySection(context: DashboardContext, metrics: MetricsResponse, filters: Filters): HTMLElement {
  const quality = metrics.dataQuality;
  const heading = h('h2', { id: 'quality-h' }, 'Data quality');
  if (!quality)
    return h(
      'section',
      { id: 'data-quality', 'aria-labelledby': 'quality-h' },
      heading,
      h('p', { class: 'note' }, 'The server did not report data quality.'),
    );
  const { locale } = context;
  const { rows, total } = previewRows(quality);
  const content = h('div', {});
  const showRows = (shown: QualityRow[]) => {
    const note = shownNote(shown.length, total, locale);
    const more = note
      ? h('button', { type: 'button', class: 'show-all', onclick: () => void loadAll() }, `Show all ${total}`)
      : null;
    content.replaceChildren(
      table(
        null,
        ['Key', 'Kind', 'Problems', 'Link'],
        shown.map((row) =>
          row.kind === 'incident'
            ? [incidentLink(context, row.key), 'incident', row.problems, externalLink(row.url, 'Jira')]
            : [externalLink(row.url, row.key), 'action item', row.problems, ''],
        ),
        { 'data-list': 'data-quality' },
      ),
      ...(note ? [h('p', { class: 'note', 'data-quality-note': '' }, `${note} `, more)] : []),
    );
  };
  const loadAll = async () => {
    content.querySelector('.error')?.remove();
    content.querySelector('.show-all')?.setAttribute('disabled', '');
    content.append(h('p', { class: 'state', role: 'status' }, 'Loading the full lists…'));
    try {
      const answer = await context.api.dataQuality(filters);
      const all = fullRows(answer);
      showRows(all);
      // Keyboard users land on the first entry they had not seen.
      const seen = new Set(rows.map((row) => `${row.kind} ${row.key}`));
      const first = all.findIndex((row) => !seen.has(`${row.kind} ${row.key}`)) + 1;
      if (first > 0) (content.querySelector(`tbody tr:nth-child(${first}) a`) as HTMLElement | null)?.focus();
    } catch (error) {
      content.querySelector('[role="status"]')?.remove();
      content.querySelector('.show-all')?.removeAttribute('disabled');
      content.append(errorBox(error, () => void loadAll()));
    }
  };
  if (rows.length) showRows(rows);
  else content.append(h('p', { class: 'state empty' }, 'No data-quality problems in this window.'));
  return h(
    'section',
    { id: 'data-quality', 'aria-labelledby': 'quality-h' },
    heading,
    h(
      'p',
      { class: 'note' },
      'Incidents with missing or out-of-order timestamps count as missing or invalid in the time metrics; action items without an owner or due date cannot be chased.',
    ),
    content,
  );
}
