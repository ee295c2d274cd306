/**
 * `/tab?view=review[&week=2026-W47][&item=3]`: the agenda of a weekly reliability review,
 * built for a meeting room (docs/meetings.md). One agenda item is focused at a time; the
 * arrow keys or j/k move between items, and the position is kept in the URL (`item`).
 * In the meeting side panel (320 px) the view is compact and offers "Share to stage"; on
 * the meeting stage (or a room-sized screen) the type is large.
 */
import type {
  ChangeSignificance as Change,
  HeadlineChange,
  ReviewIncident,
  ReviewResponse,
} from '../../server/domain/api.js';
import type { ActionItemView } from '../../server/domain/types.js';
import type { ApiClient } from './api.js';

import { applyTheme, errorBox, externalLink, h } from './dom.js';
import { compare, formatDate, formatDuration, formatRate, type Comparison } from './format.js';
import { parseReviewState, reviewUrl } from './review-state.js';
import type { Host } from './teams.js';

interface AgendaItem {
  id: string;
  title: string;
  body(): HTMLElement;
}

export interface ReviewOptions {
  root: HTMLElement;
  api: ApiClient;
  host: Host;
  onFirstRender?: () => void;
}

const NEXT_KEYS = new Set(['ArrowRight', 'ArrowDown', 'j']);
const PREVIOUS_KEYS = new Set(['ArrowLeft', 'ArrowUp', 'k']);
/** Overdue items shown per owner (the most overdue first); the rest are a link to the dashboard's list. */
const OVERDUE_PER_OWNER = 3;

export async function renderReview(options: ReviewOptions): Promise<void> {
  const { root, api, host } = options;
  const info = host.info;
  const locale = info.locale;
  const state = parseReviewState(location.search, info.subPageId);
  applyTheme(info.theme);
  host.onThemeChange(applyTheme);
  if (locale) document.documentElement.lang = locale;
  const mode =
    info.frameContext === 'sidePanel'
      ? 'panel'
      : info.frameContext === 'meetingStage' || window.matchMedia('(min-width: 1600px)').matches
        ? 'stage'
        : 'room';
  root.removeAttribute('aria-busy');
  root.className = `review ${mode}`;
  const done = () => {
    document.body.dataset.ready = 'true';
    options.onFirstRender?.();
  };

  const load = async (): Promise<void> => {
    root.replaceChildren(h('p', { class: 'state', role: 'status' }, 'Loading the review…'));
    let review: ReviewResponse;
    try {
      review = await api.review(state.week);
    } catch (error) {
      root.replaceChildren(errorBox(error, () => void load()));
      done();
      return;
    }
    state.week = review.week;
    show(review);
    done();
  };

  const show = (review: ReviewResponse): void => {
    const items = agendaItems(review, locale);
    state.item = Math.min(state.item, items.length);
    const content = h('main', { id: 'main', class: 'agenda-item', tabindex: '-1', 'aria-live': 'polite' });
    const agenda = h('ol', {});
    const position = h('span', { class: 'position' });
    const previous = h(
      'button',
      { type: 'button', name: 'previous', 'aria-keyshortcuts': 'ArrowLeft k' },
      '‹ Previous',
    );
    const next = h('button', { type: 'button', name: 'next', 'aria-keyshortcuts': 'ArrowRight j' }, 'Next ›');
    const moveTo = (item: number, focus: boolean): void => {
      state.item = Math.max(1, Math.min(items.length, item));
      history.replaceState(null, '', reviewUrl('', state).replace(/^\/tab/, location.pathname));
      const current = items[state.item - 1]!;
      content.dataset.item = current.id;
      content.replaceChildren(
        h('p', { class: 'step' }, `Item ${state.item} of ${items.length}`),
        h('h2', {}, current.title),
        current.body(),
      );
      agenda.replaceChildren(
        ...items.map((entry, i) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `?${new URLSearchParams({ view: 'review', week: review.week, item: String(i + 1) }).toString()}`,
                'aria-current': i + 1 === state.item ? 'step' : null,
                onclick: (event) => {
                  event.preventDefault();
                  moveTo(i + 1, true);
                },
              },
              entry.title,
            ),
          ),
        ),
      );
      position.textContent = `${state.item} / ${items.length}`;
      previous.toggleAttribute('disabled', state.item === 1);
      next.toggleAttribute('disabled', state.item === items.length);
      if (focus) content.focus({ preventScroll: mode === 'stage' });
    };
    previous.addEventListener('click', () => moveTo(state.item - 1, true));
    next.addEventListener('click', () => moveTo(state.item + 1, true));
    document.onkeydown = (event) => {
      const target = event.target as HTMLElement | null;
      if (
        event.altKey ||
        event.ctrlKey ||
        event.metaKey ||
        (target && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
      )
        return;
      const step = NEXT_KEYS.has(event.key) ? 1 : PREVIOUS_KEYS.has(event.key) ? -1 : 0;
      if (!step) return;
      event.preventDefault();
      moveTo(state.item + step, true);
    };

    const weekLink = (week: string, text: string) =>
      h('a', { href: `?${new URLSearchParams({ view: 'review', week }).toString()}`, class: 'week-link' }, text);
    root.replaceChildren(
      h(
        'header',
        { class: 'review-top' },
        h(
          'div',
          { class: 'title' },
          h('h1', {}, `Reliability review, week ${review.week}`),
          h(
            'span',
            { class: 'where' },
            `${formatDate(review.firstDay, locale)} to ${formatDate(review.lastDay, locale)} (${review.timezone})`,
          ),
        ),
        h(
          'nav',
          { class: 'weeks', 'aria-label': 'Other weeks' },
          weekLink(review.previousWeek, `‹ ${review.previousWeek}`),
          ' ',
          weekLink(review.nextWeek, `${review.nextWeek} ›`),
        ),
        shareControl(host, () => reviewUrl(location.origin, { week: review.week, item: 1 })),
      ),
      h('div', { class: 'review-body' }, h('nav', { class: 'agenda', 'aria-label': 'Agenda' }, agenda), content),
      h('div', { class: 'pager' }, previous, position, next, h('span', { class: 'hint' }, 'Keys: ← → or j k')),
    );
    moveTo(state.item, false);
  };

  await load();
}

/** The side panel's "Share to stage" button: shown only when Teams says the app may share. */
function shareControl(host: Host, url: () => string): HTMLElement | null {
  const stage = host.stage;
  if (!stage || host.info.frameContext !== 'sidePanel') return null;
  const status = h('p', { class: 'share-status', role: 'status' });
  const wrapper = h('div', { class: 'share', hidden: true }, status);
  const button = h('button', { type: 'button', name: 'share-to-stage', class: 'primary' }, 'Share to stage');
  button.addEventListener('click', () => {
    button.disabled = true;
    status.className = 'share-status';
    status.textContent = 'Sharing to the stage…';
    stage
      .share(url())
      .then(
        () => {
          status.textContent = 'Shared to the stage: everyone in the meeting sees the review.';
        },
        (error: unknown) => {
          status.className = 'share-status error-text';
          status.setAttribute('role', 'alert');
          status.textContent = `Could not share to the stage. ${error instanceof Error ? error.message : String(error)}`;
        },
      )
      .finally(() => {
        button.disabled = false;
      });
  });
  wrapper.prepend(button);
  void stage.canShare().then((allowed) => {
    if (allowed) wrapper.hidden = false;
    else wrapper.remove();
  });
  return wrapper;
}

function agendaItems(review: ReviewResponse, locale: string | null): AgendaItem[] {
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
  return { text: `significant (p = ${change.p < 0.001 ? '< 0.001' : change.p.toFixed(3)})`, neutral: false };
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
    figure(
      'Median time to detect',
      formatDuration(now.timeToDetect.medianSeconds),
      compare(now.timeToDetect.medianSeconds, before?.timeToDetect.medianSeconds, time),
      change.timeToDetect,
    ),
    figure(
      'Median time to acknowledge',
      formatDuration(now.timeToAcknowledge.medianSeconds),
      compare(now.timeToAcknowledge.medianSeconds, before?.timeToAcknowledge.medianSeconds, time),
      change.timeToAcknowledge,
    ),
    figure(
      'Median time to resolve',
      formatDuration(now.timeToResolve.medianSeconds),
      compare(now.timeToResolve.medianSeconds, before?.timeToResolve.medianSeconds, time),
      change.timeToResolve,
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
