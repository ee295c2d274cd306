/**
 * The lists behind the tiles, folded away until opened: the window's incidents, and all
 * action items of those incidents (fetched when the section is first opened).
 */
import type { Incident } from '../../../server/domain/types.js';
import { spanCell } from '../cells.js';
import { errorBox, externalLink, h, limitedTable } from '../dom.js';
import { formatDate } from '../format.js';
import { incidentLink, LIST_LIMIT, type DashboardContext } from './context.js';

export function incidentsSection(context: DashboardContext, items: Incident[]): HTMLElement {
  const sorted = items.slice().sort((a, b) => b.placeAt.localeCompare(a.placeAt));
  return h(
    'details',
    { id: 'incidents' },
    h('summary', {}, h('h2', {}, `Incidents in this window (${items.length})`)),
    sorted.length
      ? limitedTable(
          ['Key', 'Summary', 'Severity', 'Services', 'Started', 'TTD', 'TTA', 'TTR'],
          sorted.map((i) => [
            incidentLink(context, i.key),
            i.summary,
            i.severity ?? 'unknown',
            i.services.join(', ') || '—',
            formatDate(i.startedAt ?? i.placeAt, context.locale),
            spanCell(i.startedAt, i.detectedAt),
            spanCell(i.detectedAt, i.acknowledgedAt),
            spanCell(i.startedAt, i.resolvedAt),
          ]),
          { 'data-list': 'incidents' },
          LIST_LIMIT,
        )
      : h('p', { class: 'state empty' }, 'No incidents in this window.'),
  );
}

/** All action items of the window's incidents (`inWindow`, their keys), loaded when the section is opened. */
export function actionItemsSection(context: DashboardContext, inWindow: Set<string>): HTMLElement {
  const { api, state, locale } = context;
  const content = h('div', {});
  const details = h(
    'details',
    { id: 'action-items' },
    h('summary', {}, h('h2', {}, 'All action items of these incidents')),
    content,
  );
  let loaded = false;
  const load = async () => {
    if (loaded) return;
    loaded = true;
    content.replaceChildren(h('p', { class: 'state', role: 'status' }, 'Loading action items…'));
    try {
      const all = await api.actionItems({ service: state.service });
      const items = all.items
        .filter((i) => i.incidentKey != null && inWindow.has(i.incidentKey))
        .sort((a, b) => a.statusCategory.localeCompare(b.statusCategory) || a.key.localeCompare(b.key));
      content.replaceChildren(
        items.length
          ? limitedTable(
              ['Key', 'Summary', 'Status', 'Owner', 'Incident', 'Due', 'Resolved'],
              items.map((i) => [
                externalLink(i.url, i.key),
                i.summary,
                i.status,
                i.owner ?? '—',
                incidentLink(context, i.incidentKey),
                formatDate(i.dueDate, locale),
                formatDate(i.resolvedAt, locale),
              ]),
              { 'data-list': 'action-items' },
              LIST_LIMIT,
            )
          : h('p', { class: 'state empty' }, 'These incidents have no action items.'),
      );
    } catch (error) {
      loaded = false;
      content.replaceChildren(errorBox(error, () => void load()));
    }
  };
  details.addEventListener('toggle', () => {
    if (details.open) void load();
  });
  return details;
}
