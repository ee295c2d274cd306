/**
 * "Late fixes the next incidents hit": the action items that were overdue when later
 * incidents of their service happened (recurrence in /api/metrics), most incidents first.
 * Owner and days overdue come from the overdue list; a fix done since is looked up by its incident.
 */
import type { MetricsResponse, Recurrence } from '../../../server/domain/api.js';
import type { ActionItemView } from '../../../server/domain/types.js';
import { externalLink, h, table } from '../dom.js';
import { formatDate, formatRate } from '../format.js';
import { formulaText } from '../formulas.js';
import { incidentLink, type DashboardContext } from './context.js';

export function lateFixesSection(
  context: DashboardContext,
  recurrence: Recurrence,
  metrics: MetricsResponse,
  overdue: ActionItemView[],
): HTMLElement {
  const { locale } = context;
  const f = metrics.formulas;
  const views = new Map(overdue.map((view) => [view.key, view]));
  const total = metrics.incidents.total;
  const count = h(
    'p',
    {
      class: 'recurrence-count',
      'data-recurrence': String(recurrence.behindOverdueFix),
      title: formulaText(f, 'behindOverdueFix', 'recurrenceRate'),
    },
    h('strong', {}, `${recurrence.behindOverdueFix} of ${total}`),
    ` incidents in this window came while a fix on the same service was overdue (${formatRate(recurrence.rate)}).`,
  );
  const formula = h(
    'p',
    { class: 'formula-line', role: 'note' },
    formulaText(f, 'behindOverdueFix', 'recurrenceRate', 'lateFixes'),
  );
  const rows = recurrence.items.map((item) => {
    const known = views.get(item.key);
    const owner = h('span', { 'data-owner': item.key }, known ? (known.owner ?? 'no owner') : '…');
    const late = h('strong', { 'data-late': item.key }, known ? String(known.daysOverdue ?? 0) : '…');
    const summary = h('span', {}, known?.summary ?? '');
    const link = h('span', {}, known ? externalLink(known.url, item.key) : item.key);
    if (!known) {
      // Done since, or not overdue any more: its incident's action items name it.
      void context.api.actionItems({ incident: item.incidentKey }).then(
        (answer) => {
          const view = answer.items.find((candidate) => candidate.key === item.key);
          owner.textContent = view?.owner ?? 'no owner';
          summary.textContent = view?.summary ?? '';
          late.textContent = view?.statusCategory === 'done' ? 'done since' : String(view?.daysOverdue ?? 0);
          if (view?.url) link.replaceChildren(externalLink(view.url, item.key));
        },
        () => {
          owner.textContent = '—';
          late.textContent = '—';
        },
      );
    }
    return [
      link,
      summary,
      owner,
      formatDate(item.dueDate, locale),
      late,
      h(
        'span',
        { class: 'hits' },
        h('strong', {}, String(item.incidents.length)),
        ': ',
        ...item.incidents.slice(0, 8).flatMap((key, i) => [i ? ', ' : '', incidentLink(context, key)]),
        item.incidents.length > 8 ? ` and ${item.incidents.length - 8} more` : '',
      ),
      incidentLink(context, item.incidentKey),
    ];
  });
  const body = rows.length
    ? table(null, ['Fix', 'Summary', 'Owner', 'Due', 'Days late', 'Incidents since', 'Its incident'], rows, {
        'data-list': 'late-fixes',
      })
    : h(
        'p',
        { class: 'state empty', 'data-list': 'late-fixes' },
        'No incident in this window came while a fix on its service was overdue.',
      );
  return h(
    'section',
    { id: 'late-fixes', 'aria-labelledby': 'late-fixes-h' },
    h('h2', { id: 'late-fixes-h' }, 'Late fixes the next incidents hit'),
    count,
    body,
    recurrence.itemsTotal > recurrence.items.length
      ? h(
          'p',
          { class: 'note' },
          `Showing ${recurrence.items.length} of ${recurrence.itemsTotal} late fixes, most incidents first.`,
        )
      : null,
    formula,
  );
}
