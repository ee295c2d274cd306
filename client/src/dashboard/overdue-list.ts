/**
 * The overdue action items of the window's incidents: filtered by owner, sorted by days
 * overdue or by the incidents each was overdue at (docs/insights.md), both kept in the URL.
 */
import type { Recurrence } from '../../../server/domain/api.js';
import type { ActionItemView } from '../../../server/domain/types.js';
import { externalLink, h, limitedTable, selectField } from '../dom.js';
import { incidentLink, LIST_LIMIT, type DashboardContext } from './context.js';
import { dueDateCell } from '../cells.js';

/** `elsewhere` counts the overdue items of incidents outside the window or filter (or of none). */
export function overdueSection(
  context: DashboardContext,
  items: ActionItemView[],
  elsewhere: number,
  recurrence: Recurrence,
): HTMLElement {
  const { state, navigate, locale } = context;
  const owners = [...new Set(items.map((i) => i.owner ?? ''))].sort((a, b) => a.localeCompare(b));
  const owner = state.owner;
  // Incidents each item was overdue at: known for the listed late fixes; the rest had at most
  // as many as the last one listed (none at all when every late fix is listed).
  const hits = new Map(recurrence.items.map((item) => [item.key, item.incidents.length]));
  const last = recurrence.items[recurrence.items.length - 1];
  const bound = recurrence.itemsTotal > recurrence.items.length && last ? last.incidents.length : 0;
  const hitsOf = (key: string) => hits.get(key) ?? -1;
  const byIncidents = state.overdueSort === 'incidents';
  const shown = items
    .filter((item) => owner == null || (item.owner ?? '') === (owner === '(none)' ? '' : owner))
    .sort(
      (a, b) =>
        (byIncidents ? hitsOf(b.key) - hitsOf(a.key) : 0) ||
        (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0) ||
        a.key.localeCompare(b.key),
    );
  const ownerFilter = selectField(
    'owner',
    'Owner',
    [['', 'All owners'], ...owners.map((o) => [o || '(none)', o || '(no owner)'] as [string, string])],
    owner ?? '',
    (value) => navigate({ owner: value || null }),
  );
  const sortChoice = selectField(
    'sort',
    'Sort by',
    [
      ['days', 'Days overdue'],
      ['incidents', 'Incidents since it was due'],
    ],
    state.overdueSort,
    (value) => navigate({ overdueSort: value === 'incidents' ? 'incidents' : 'days' }),
  );
  const body = shown.length
    ? limitedTable(
        ['Key', 'Summary', 'Owner', 'Incident', 'Due', 'Days overdue', 'Incidents since'],
        shown.map((item) => [
          externalLink(item.url, item.key),
          item.summary,
          item.owner ?? h('em', {}, 'no owner'),
          incidentLink(context, item.incidentKey),
          dueDateCell(item, locale),
          h('strong', {}, String(item.daysOverdue ?? 0)),
          hits.has(item.key) ? String(hits.get(item.key)) : bound > 0 ? `≤ ${bound}` : '0',
        ]),
        { 'data-list': 'overdue' },
        LIST_LIMIT,
      )
    : h(
        'p',
        { class: 'state empty', 'data-list': 'overdue' },
        owner
          ? `Nothing overdue for ${owner === '(none)' ? 'items without an owner' : owner}.`
          : 'Nothing is overdue. Every open action item of these incidents is within its due date.',
      );
  return h(
    'section',
    { id: 'overdue', 'aria-labelledby': 'overdue-h' },
    h('h2', { id: 'overdue-h' }, `Overdue action items (${shown.length})`),
    h('div', { class: 'section-tools' }, ownerFilter, sortChoice),
    body,
    elsewhere > 0
      ? h(
          'p',
          { class: 'note' },
          `${elsewhere} more overdue action items belong to incidents outside this window or filter (or to no incident).`,
        )
      : null,
  );
}
