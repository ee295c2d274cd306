/** Table cells that show the same fact the same way in every list of the tab. */
import type { ActionItemView } from '../../server/domain/types.js';
import { h } from './dom.js';
import { formatDate, formatDuration, span } from './format.js';

/** An action item's due date, marked "SLA" when it was derived from the severity's SLA. */
export function dueDateCell(
  item: Pick<ActionItemView, 'dueDate' | 'dueDateSource'>,
  locale: string | null,
): HTMLElement {
  return h(
    'span',
    {},
    formatDate(item.dueDate, locale),
    item.dueDateSource === 'sla'
      ? h('abbr', { class: 'sla', title: 'Due date derived from the severity SLA (no due date in Jira)' }, ' SLA')
      : null,
  );
}

/** Why an incident has no time between two of its points: a point is missing, or they are out of order. */
const NO_SPAN = {
  missing: { text: 'missing', class: 'muted' },
  invalid: { text: 'out of order', class: 'bad' },
} as const;

/** The time between two points of an incident, or why there is none, as text. */
export function spanText(from: string | null, to: string | null): string {
  const value = span(from, to);
  return typeof value === 'number' ? formatDuration(value) : NO_SPAN[value].text;
}

/** The same, for a table cell: the reason there is no time is set apart (muted, or marked bad). */
export function spanCell(from: string | null, to: string | null): HTMLElement | string {
  const value = span(from, to);
  return typeof value === 'number'
    ? formatDuration(value)
    : h('span', { class: NO_SPAN[value].class }, NO_SPAN[value].text);
}
