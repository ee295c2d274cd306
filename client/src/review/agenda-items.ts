/**
 * The items of a weekly review's agenda (docs/meetings.md), each drawn from the review
 * answer: the headline numbers against the week before, what happened since the last
 * review, each P0 and P1 incident, the incidents behind an overdue fix, and the overdue
 * action items by owner. review.ts shows them one at a time.
 */
import type {
  ChangeSignificance as Change,
  HeadlineChange,
  ReviewIncident,
  ReviewResponse,
} from '../../../server/domain/api.js';
import type { ActionItemView } from '../../../server/domain/types.js';
import { TIME_METRIC_LABELS, TIME_METRIC_ORDER } from '../chart-data.js';
import { externalLink, h } from '../dom.js';
import { compare, formatDate, formatDuration, formatPValue, formatRate, type Comparison } from '../format.js';

interface AgendaItem {
  id: string;
  title: string;
  body(): HTMLElement;
}

/** Overdue items shown per owner (the most overdue first); the rest are a link to the dashboard's list. */
const OVERDUE_PER_OWNER = 3;

export function agendaItems(review: ReviewResponse, locale: string | null): AgendaItem[] {
  const items: AgendaItem[] = [
    { id: 'headline', title: 'Headline numbers', body: () => headline(review) },
    { id: 'since', title: 'Since the last review', body: () => sinceLastReview(review, locale) },
  ];
  if (review.incidents.length === 0) {
    items.push({
      id: 'incidents',
      title: 'P0 and P1 incidents',
      body: () => h('p', { class: 'lead' }, `No P0 or P1 incidents in ${review.week}.`),
    });
  }
  for (const incident of review.incidents) {
    items.push({
      id: `incident-${incident.key}`,
      title: `${incident.severity} ${incident.key}`,
      body: () => incidentItem(incident, locale),
    });
  }
  if (review.recurrence) {
    const recurrence = review.recurrence;
    items.push({
      id: 'recurrence',
      title: 'Behind an overdue fix',
      body: () => recurrenceItem(review, recurrence, locale),
    });
  }
  items.push({ id: 'overdue', title: 'Overdue action items by owner', body: () => overdueByOwner(review, locale) });
  return items;
}

/** "within noise" for a change that is not significant, as the digest says it. */
function changeText(change: Change | undefined): { text: string; neutral: boolean } | null {
  if (!change) return null;
  if (change.p === null) return { text: 'too few to test', neutral: true };
  if (!change.significant) return { text: 'within noise', neutral: true };
  return { text: `significant (${formatPValue(change.p)})`, neutral: false };
}

function figure(label: string, value: string, comparison: Comparison | null, change?: Change): HTMLElement {
  const tested = changeText(change);
  const tone =
    comparison && comparison.better !== null && !tested?.neutral ? (comparison.better ? 'better' : 'worse') : '';
  return h(
    'div',
    { class: 'figure', 'data-figure': label },
    h('span', { class: 'figure-label' }, label),
    h('span', { class: 'figure-value' }, value),
    h(
      'span',
      { class: `delta ${tone}` },
      comparison
        ? comparison.direction === 'same'
          ? 'same as the week before'
          : `${comparison.text} the week before`
        : 'no week before to compare',
      tested ? `, ${tested.text}` : '',
    ),
  );
}

function headline(review: ReviewResponse): HTMLElement {
  const now = review.headline;
  const before = now.previous;
  const change: HeadlineChange = now.change ?? {};
  const count = { lowerIsBetter: true, format: String };
  const time = { lowerIsBetter: true, format: formatDuration };
  const severe = (bySeverity: Partial<Record<string, number>>) => (bySeverity.P0 ?? 0) + (bySeverity.P1 ?? 0);
  return h(
    'div',
    { class: 'figures' },
    figure(
      'Incidents',
      String(now.incidents.total),
      compare(now.incidents.total, before?.incidents.total, count),
      change.incidents,
    ),
    figure(
      'P0 and P1',
      String(severe(now.incidents.bySeverity)),
      compare(severe(now.incidents.bySeverity), before ? severe(before.incidents.bySeverity) : null, count),
    ),
    ...TIME_METRIC_ORDER.map((name) =>
      figure(
        `Median ${TIME_METRIC_LABELS[name].long.toLowerCase()}`,
        formatDuration(now[name].medianSeconds),
        compare(now[name].medianSeconds, before?.[name].medianSeconds, time),
        change[name],
      ),
    ),
    figure(
      'Action items on time',
      formatRate(now.actionItems.onTimeRate),
      compare(now.actionItems.onTimeRate, before?.actionItems.onTimeRate, { lowerIsBetter: false, format: formatRate }),
    ),
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function itemLine(
  item: ActionItemView,
  locale: string | null,
  extra: string | null = null,
  showOwner = true,
): HTMLElement {
  return h(
    'li',
    { 'data-key': item.key },
    externalLink(item.url, item.key),
    ' ',
    item.summary,
    h(
      'span',
      { class: 'meta' },
      [
        showOwner ? (item.owner ?? 'no owner') : null,
        item.dueDate ? `due ${formatDate(item.dueDate, locale)}` : null,
        extra,
      ]
        .filter(Boolean)
        .join(' · '),
    ),
  );
}

function sinceLastReview(review: ReviewResponse, locale: string | null): HTMLElement {
  const { closed, becameOverdue } = review.sinceLastReview;
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'lead', 'data-since': '' },
      `In ${review.week}: ${plural(closed.length, 'action item')} closed, ${plural(becameOverdue.length, 'action item')} missed ${becameOverdue.length === 1 ? 'its' : 'their'} due date.`,
    ),
    closed.length ? h('h3', {}, 'Closed') : null,
    closed.length
      ? h(
          'ul',
          { class: 'items', 'data-list': 'closed' },
          ...closed.map((item) =>
            itemLine(item, locale, item.resolvedAt ? `done ${formatDate(item.resolvedAt.slice(0, 10), locale)}` : null),
          ),
        )
      : null,
    becameOverdue.length ? h('h3', {}, 'Missed their due date') : null,
    becameOverdue.length
      ? h(
          'ul',
          { class: 'items', 'data-list': 'became-overdue' },
          ...becameOverdue.map((item) =>
            itemLine(item, locale, item.statusCategory === 'done' ? 'done late' : 'still open'),
          ),
        )
      : null,
  );
}

function incidentItem(incident: ReviewIncident, locale: string | null): HTMLElement {
  const counts = incident.actionItems;
  const fixes = incident.behindOverdueFixes ?? [];
  return h(
    'div',
    { 'data-incident': incident.key },
    h('p', { class: 'lead' }, incident.summary),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Status'),
      h('dd', {}, `${incident.status}${incident.resolved ? '' : ' (not resolved)'}`),
      h('dt', {}, 'Started'),
      h('dd', {}, formatDate(incident.placeAt, locale)),
      h('dt', {}, 'Post-mortem'),
      h(
        'dd',
        {
          class: incident.postmortemImportedAt ? '' : 'bad',
          'data-postmortem': incident.postmortemImportedAt ? 'imported' : 'missing',
        },
        incident.postmortemImportedAt
          ? `imported ${formatDate(incident.postmortemImportedAt, locale)}`
          : 'not imported yet',
      ),
      h('dt', {}, 'Action items'),
      h(
        'dd',
        { 'data-action-items': '' },
        counts.total === 0 ? 'none yet' : `${counts.open} open, ${counts.done} done`,
        counts.overdue ? h('span', { class: 'bad' }, `, ${counts.overdue} overdue`) : '',
      ),
      fixes.length ? h('dt', {}, 'Behind overdue fixes') : null,
      fixes.length ? h('dd', { class: 'bad' }, fixes.join(', ')) : null,
    ),
    h(
      'p',
      { class: 'links' },
      incident.url ? externalLink(incident.url, `Open ${incident.key} in Jira`) : null,
      ' ',
      h('a', { href: `/tab?incident=${encodeURIComponent(incident.key)}`, class: 'incident-link' }, 'Incident view'),
    ),
  );
}

function recurrenceItem(
  review: ReviewResponse,
  recurrence: NonNullable<ReviewResponse['recurrence']>,
  locale: string | null,
): HTMLElement {
  const rate = recurrence.rate === null ? '' : ` (${formatRate(recurrence.rate)})`;
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'lead' },
      `${plural(recurrence.behindOverdueFix, 'incident')} of ${review.week} ${recurrence.behindOverdueFix === 1 ? 'was' : 'were'} behind an overdue fix${rate}.`,
    ),
    recurrence.items.length
      ? h(
          'ul',
          { class: 'items', 'data-list': 'recurrence' },
          ...recurrence.items.map((fix) =>
            h(
              'li',
              { 'data-key': fix.key },
              h('strong', {}, fix.key),
              ` (of ${fix.incidentKey ?? 'no incident'}${fix.dueDate ? `, due ${formatDate(fix.dueDate, locale)}` : ''}) was overdue at `,
              fix.incidents.join(', '),
            ),
          ),
        )
      : null,
    recurrence.itemsTotal > recurrence.items.length
      ? h('p', { class: 'note' }, `and ${recurrence.itemsTotal - recurrence.items.length} more`)
      : null,
  );
}

function overdueByOwner(review: ReviewResponse, locale: string | null): HTMLElement {
  if (review.overdueByOwner.length === 0) return h('p', { class: 'lead' }, 'Nothing is overdue.');
  const total = review.overdueByOwner.reduce((sum, group) => sum + group.items.length, 0);
  return h(
    'div',
    {},
    h(
      'p',
      { class: 'lead' },
      `${plural(total, 'action item')} overdue now, ${plural(review.overdueByOwner.length, 'owner')}.`,
    ),
    h(
      'div',
      { class: 'owners' },
      ...review.overdueByOwner.map((group) =>
        h(
          'section',
          { class: 'owner', 'data-owner': group.owner ?? '', 'data-count': group.items.length },
          h('h3', {}, `${group.owner ?? 'No owner'} (${group.items.length})`),
          h(
            'ul',
            { class: 'items' },
            ...group.items
              .slice(0, OVERDUE_PER_OWNER)
              .map((item) => itemLine(item, locale, `${plural(item.daysOverdue ?? 0, 'day')} overdue`, false)),
          ),
          group.items.length > OVERDUE_PER_OWNER
            ? h(
                'p',
                { class: 'note' },
                h(
                  'a',
                  { href: `/tab?${new URLSearchParams(group.owner ? { owner: group.owner } : {}).toString()}#overdue` },
                  `and ${group.items.length - OVERDUE_PER_OWNER} more`,
                ),
              )
            : null,
        ),
      ),
    ),
  );
}
