/**
 * The weekly digest as an Adaptive Card: a pure function of DigestContent.
 *
 * Version 1.4, because Teams Workflows webhooks accept 1.4 and refuse 1.5 (so no Table,
 * which is 1.5: rows are FactSets and TextBlocks). Teams' `msteams.width: "Full"` lets
 * the card use the channel's width. Every section ends with the formula behind its
 * numbers, as the product promises for every number it shows.
 */
import type { ChangeSignificance, TimeMetric } from '../domain/api.js';
import { safeLinkUrl } from '../markdownLinks.js';
import type { SeverityKey } from '../domain/types.js';
import type { Compared, DigestContent, LateFix, MajorIncident } from './content.js';
import { ACTION_ITEM_WINDOW_WEEKS, TREND_WEEKS } from './content.js';
import {
  formatCountChange,
  formatDuration,
  formatDurationChange,
  formatPValue,
  formatRate,
  formatRateChange,
  plainText,
  plural,
} from './format.js';

export const CARD_VERSION = '1.4';
/** Teams refuses messages over about 28 KB; the card is kept under this many bytes of JSON. */
export const MAX_CARD_BYTES = 28 * 1024;

type CardElement = Record<string, unknown> & { type: string };

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  actions?: CardElement[];
  fallbackText: string;
  msteams: { width: 'Full' };
}

const SEVERITY_ORDER: SeverityKey[] = ['P0', 'P1', 'P2', 'P3', 'P4', 'unknown'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function dayLabel(date: string, withYear: boolean): string {
  const [year, month, day] = date.split('-');
  return `${Number(day)} ${MONTHS[Number(month) - 1] ?? month}${withYear ? ` ${year}` : ''}`;
}

function heading(text: string): CardElement {
  return { type: 'TextBlock', text, weight: 'Bolder', size: 'Medium', wrap: true, spacing: 'Large', separator: true };
}

function text(value: string, extra: Record<string, unknown> = {}): CardElement {
  return { type: 'TextBlock', text: value, wrap: true, ...extra };
}

function caption(value: string): CardElement {
  return { type: 'TextBlock', text: value, wrap: true, isSubtle: true, size: 'Small', spacing: 'Small' };
}

function facts(rows: Array<[string, string]>): CardElement {
  return { type: 'FactSet', facts: rows.map(([title, value]) => ({ title, value })) };
}

function compareCount({ current, previous }: Compared<number>): string {
  return `${current} (week before ${previous}, ${formatCountChange(current, previous)})`;
}

function compareMedian({ current, previous }: Compared<TimeMetric>, test?: ChangeSignificance): string {
  const c = current.medianSeconds;
  const p = previous.medianSeconds;
  const change = formatDurationChange(c, p);
  return (
    `${formatDuration(c)} over ${plural(current.count, 'incident')} (week before ${formatDuration(p)}, ${change})` +
    noise(test, change !== 'no change' && change !== 'n/a')
  );
}

/**
 * How a change reads next to its numbers: "(within noise)" when its test is not significant
 * (or had too few values), "(significant, p = ...)" when it is; nothing without a change.
 */
function noise(test: ChangeSignificance | undefined, changed: boolean): string {
  if (!test || !changed) return '';
  return test.significant && test.p !== null ? ` (significant, ${formatPValue(test.p)})` : ' (within noise)';
}

/** How many of a late fix's incidents the card names before "+N more". */
const LATE_FIX_INCIDENTS_SHOWN = 6;

function lateFixLine(fix: LateFix): string {
  const named = fix.incidents.slice(0, LATE_FIX_INCIDENTS_SHOWN).map((incident) => link(incident.key, incident.url));
  const rest = fix.incidents.length - named.length;
  const state = fix.daysOverdue === null ? 'done since' : `**${plural(fix.daysOverdue, 'day')} overdue**`;
  return (
    `**${link(fix.key, fix.url)}** ${plainText(fix.summary)}  \n` +
    `${fix.owner ? plainText(fix.owner, 60) : 'No owner'} \u00b7 due ${fix.dueDate} \u00b7 ${state} \u00b7 ` +
    `overdue at ${plural(fix.incidents.length, 'incident')} of the week: ${named.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`
  );
}

/** A Jira key (or any label) as a link; the label escaped, the URL only when http(s). */
function link(label: string, url: string | null): string {
  const safe = safeLinkUrl(url);
  return safe ? `[${plainText(label, 60)}](${safe})` : plainText(label, 60);
}

export function buildDigestCard(content: DigestContent): AdaptiveCard {
  const body: CardElement[] = [
    ...titleSection(content),
    ...incidentsSection(content),
    ...responseTimesSection(content),
    ...actionItemsSection(content),
    ...lateFixesSection(content),
    ...mostOverdueSection(content),
    ...majorIncidentsSection(content),
    ...chartSection(content),
  ];
  const actions = cardActions(content);
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: CARD_VERSION,
    body,
    ...(actions.length > 0 ? { actions } : {}),
    fallbackText:
      `Reliability digest ${content.week}: ${plural(content.incidents.current.total, 'incident')}, ` +
      `${content.actionItems.overdueNow} action items overdue.`,
    msteams: { width: 'Full' },
  };
}

function titleSection(content: DigestContent): CardElement[] {
  return [
    text(`Reliability digest, week ${content.week}`, { size: 'Large', weight: 'Bolder', spacing: 'None' }),
    caption(
      `${dayLabel(content.firstDay, false)} to ${dayLabel(content.lastDay, true)} (${content.timezone}), ` +
        `compared with the week before (${content.previousWeek}).`,
    ),
  ];
}

/** Incidents by severity. */
function incidentsSection(content: DigestContent): CardElement[] {
  const { incidents } = content;
  const body: CardElement[] = [
    heading(
      `Incidents: ${compareCount({ current: incidents.current.total, previous: incidents.previous.total })}` +
        noise(content.change?.incidents, incidents.current.total !== incidents.previous.total),
    ),
  ];
  const severities = SEVERITY_ORDER.filter(
    (s) => (incidents.current.bySeverity[s] ?? 0) > 0 || (incidents.previous.bySeverity[s] ?? 0) > 0,
  );
  if (severities.length > 0) {
    body.push(
      facts(
        severities.map((s) => [
          s,
          compareCount({
            current: incidents.current.bySeverity[s] ?? 0,
            previous: incidents.previous.bySeverity[s] ?? 0,
          }),
        ]),
      ),
    );
  } else {
    body.push(text('No incidents in either week.'));
  }
  body.push(
    caption(
      'An incident belongs to the week its startedAt (else its creation) falls in, Monday 00:00 to Monday 00:00.',
    ),
  );
  return body;
}

function responseTimesSection(content: DigestContent): CardElement[] {
  const change = content.change ?? undefined;
  return [
    heading('Response times (median)'),
    facts([
      ['Time to detect', compareMedian(content.timeToDetect, change?.timeToDetect)],
      ['Time to acknowledge', compareMedian(content.timeToAcknowledge, change?.timeToAcknowledge)],
      ['Time to resolve', compareMedian(content.timeToResolve, change?.timeToResolve)],
    ]),
    caption(
      'TTD = detected - started; TTA = acknowledged - detected; TTR = resolved - started. Median = PERCENTILE.INC(x, 0.5) ' +
        "over the week's incidents that have both points in order; an unresolved incident has no TTR yet. " +
        'Within noise = not significant (p >= 0.05): incident counts by an exact binomial test, medians by a Mann-Whitney U test ' +
        '(not tested with fewer than 5 values in either week).',
    ),
  ];
}

function actionItemsSection({ actionItems }: DigestContent): CardElement[] {
  return [
    heading('Action items'),
    facts([
      ['Opened', compareCount(actionItems.opened)],
      ['Closed', compareCount(actionItems.closed)],
      ['Overdue now', String(actionItems.overdueNow)],
      [
        'On-time rate',
        `${formatRate(actionItems.onTimeRate.current)} (a week earlier ${formatRate(actionItems.onTimeRate.previous)}, ` +
          `${formatRateChange(actionItems.onTimeRate.current, actionItems.onTimeRate.previous)})`,
      ],
    ]),
    caption(
      `Opened = created in the week; closed = done in the week; on-time rate = done items closed on or before their due date / done items with a due date. ` +
        `These count the action items of the last ${ACTION_ITEM_WINDOW_WEEKS} weeks' incidents. ` +
        'Overdue now = all open items whose due date (Jira, else the severity SLA after resolution) is before today.',
    ),
  ];
}

/** Late fixes the week's incidents hit. */
function lateFixesSection(content: DigestContent): CardElement[] {
  const body: CardElement[] = [heading("Late fixes this week's incidents hit")];
  const behind = content.behindOverdueFix;
  if (content.lateFixes.length === 0) {
    body.push(
      text(
        behind.total === 0
          ? 'No incidents this week.'
          : 'No incident this week happened while a fix on its service was overdue.',
      ),
    );
  } else {
    body.push(
      text(
        `${behind.count} of the week's ${plural(behind.total, 'incident')} came while a fix on the same service was overdue (${formatRate(behind.count / behind.total)}).`,
      ),
    );
    for (const fix of content.lateFixes) body.push(text(lateFixLine(fix), { spacing: 'Small' }));
    if (content.moreLateFixes > 0)
      body.push(caption(`and ${plural(content.moreLateFixes, 'more late fix', 'more late fixes')}.`));
  }
  body.push(
    caption(
      "A fix was overdue at an incident when the incident hit a service of the fix's own incident, later, after the fix's due date " +
        "(in the incident's calendar day), and the fix was not done yet. Most incidents first.",
    ),
  );
  return body;
}

function mostOverdueSection(content: DigestContent): CardElement[] {
  const body: CardElement[] = [heading('Most overdue action items')];
  if (content.mostOverdue.length === 0) return [...body, text('No action item is overdue.')];
  for (const item of content.mostOverdue) {
    body.push(
      text(
        `**${link(item.key, item.url)}** ${plainText(item.summary)}  \n` +
          `${item.owner ? plainText(item.owner, 60) : 'No owner'} \u00b7 **${plural(item.daysOverdue ?? 0, 'day')} overdue** ` +
          `(due ${item.dueDate ?? 'n/a'}${item.dueDateSource === 'sla' ? ', from the SLA' : ''})`,
        { spacing: 'Small' },
      ),
    );
  }
  if (content.moreOverdue > 0) body.push(caption(`and ${plural(content.moreOverdue, 'more overdue item')}.`));
  return body;
}

function majorIncidentLine(incident: MajorIncident): string {
  const postmortem = incident.postmortemImportedAt
    ? `post-mortem written (imported ${dayLabel(incident.postmortemImportedAt.slice(0, 10), false)})`
    : '**no post-mortem yet**';
  const items =
    incident.actionItems.total === 0
      ? 'no action items'
      : `${plural(incident.actionItems.total, 'action item')}, ${incident.actionItems.open} open`;
  return (
    `**${incident.severity} ${link(incident.key, incident.url)}** ${plainText(incident.summary)}  \n` +
    `${incident.resolved ? 'Resolved' : `Not resolved (${plainText(incident.status, 40)})`} \u00b7 ${postmortem} \u00b7 ${items}`
  );
}

function majorIncidentsSection(content: DigestContent): CardElement[] {
  const body: CardElement[] = [heading(`P0 and P1 incidents of ${content.week}`)];
  if (content.majorIncidents.length === 0) return [...body, text('None.')];
  for (const incident of content.majorIncidents) body.push(text(majorIncidentLine(incident), { spacing: 'Small' }));
  if (content.moreMajorIncidents > 0) {
    body.push(caption(`and ${plural(content.moreMajorIncidents, 'more P0/P1 incident')}.`));
  }
  return body;
}

function chartSection(content: DigestContent): CardElement[] {
  if (!content.links.chart) return [];
  return [
    heading(`Incidents per week, last ${TREND_WEEKS} weeks`),
    {
      type: 'Image',
      url: content.links.chart,
      altText: `Bar chart of incidents per week by severity, the ${TREND_WEEKS} weeks up to ${content.week}`,
      size: 'Stretch',
    },
  ];
}

function cardActions(content: DigestContent): CardElement[] {
  const actions: CardElement[] = [];
  if (content.links.dashboard) {
    actions.push({ type: 'Action.OpenUrl', title: 'Open the dashboard', url: content.links.dashboard });
  }
  if (content.links.overdue) {
    actions.push({
      type: 'Action.OpenUrl',
      title: `Overdue list (${content.actionItems.overdueNow})`,
      url: content.links.overdue,
    });
  }
  if (content.links.review) {
    actions.push({ type: 'Action.OpenUrl', title: `Review agenda (${content.week})`, url: content.links.review });
  }
  return actions;
}

/** The card's size as posted (UTF-8 JSON bytes). */
export function cardBytes(card: unknown): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}
