/**
 * `/tab?view=review[&week=2026-W47][&item=3]`: the agenda of a weekly reliability review,
 * built for a meeting room (docs/meetings.md). One agenda item is focused at a time; the
 * arrow keys or j/k move between items, and the position is kept in the URL (`item`).
 * In the meeting side panel (320 px) the view is compact and offers "Share to stage"; on
 * the meeting stage (or a room-sized screen) the type is large.
 */
import type { ReviewResponse } from '../../server/domain/api.js';
import type { ApiClient } from './api.js';
import { applyTheme, errorBox, h } from './dom.js';
import { formatDate } from './format.js';
import { agendaItems } from './review/agenda-items.js';
import { shareControl } from './review/share.js';
import { parseReviewState, reviewUrl } from './review-state.js';
import type { Host } from './teams.js';

export interface ReviewOptions {
  root: HTMLElement;
  api: ApiClient;
  host: Host;
  onFirstRender?: () => void;
}

const NEXT_KEYS = new Set(['ArrowRight', 'ArrowDown', 'j']);
const PREVIOUS_KEYS = new Set(['ArrowLeft', 'ArrowUp', 'k']);

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
