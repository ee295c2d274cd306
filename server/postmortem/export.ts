/**
 * The post-mortem template (docs/postmortem-template.md) filled from what is known about an
 * incident: its synced fields, its time metrics, the Jira changelog as a timeline, its
 * action items, and whatever an imported post-mortem says. What nobody knows yet stays
 * as the template's bracketed prompt, so the author sees what is left to write (and the
 * importer reads a prompt as empty).
 */
import type { ActionItemView, Incident, Postmortem, TimelineEvent } from '../domain/types.js';
import { neutraliseLinks, safeLinkUrl } from '../markdownLinks.js';

export interface PostmortemExportInput {
  incident: Incident;
  actionItems: ActionItemView[];
  postmortem: Postmortem | null;
  /** The dashboard's public address, linked under "Supporting Information" when set. */
  publicUrl?: string | null;
}

/** `YYYY-MM-DD HH:MM` in UTC, the template's timestamp form. */
export function formatUtcMinute(instant: string): string {
  return new Date(Date.parse(instant)).toISOString().slice(0, 16).replace('T', ' ');
}

/** `2 hours 15 minutes`, `45 seconds`, `3 days 1 hour`: the two largest non-zero units. */
export function formatDuration(seconds: number): string {
  const units: Array<[string, number]> = [
    ['day', 86_400],
    ['hour', 3_600],
    ['minute', 60],
    ['second', 1],
  ];
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [name, size] of units) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 && parts.length < 2) parts.push(`${amount} ${name}${amount === 1 ? '' : 's'}`);
    else if (parts.length > 0) break;
  }
  return parts.length > 0 ? parts.join(' ') : '0 seconds';
}

/** Seconds from earlier to later, only when both exist and they are in order. */
function span(earlier: string | null, later: string | null): number | null {
  if (earlier === null || later === null) return null;
  const diff = (Date.parse(later) - Date.parse(earlier)) / 1000;
  return Number.isFinite(diff) && diff >= 0 ? diff : null;
}

/** A table cell: one line, no unescaped pipes. */
function cell(text: string | null | undefined, prompt: string): string {
  const value = text === null || text === undefined || text.trim() === '' ? prompt : text;
  return value.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function orPrompt(value: string | null | undefined, prompt: string): string {
  return value === null || value === undefined || value.trim() === '' ? prompt : value.replace(/\r?\n/g, ' ');
}

/** Names (services, responders) inline, as the template writes them. */
function names(values: string[] | undefined, prompt: string): string {
  return values && values.length > 0 ? values.join(', ') : prompt;
}

/** Sentences as nested bullets under their label, so the importer reads them back item by item. */
function list(values: string[] | undefined, prompt: string): string {
  if (!values || values.length === 0) return prompt;
  return values.map((value) => `\n    *   ${value.replace(/\r?\n/g, ' ')}`).join('');
}

function durationOr(seconds: number | null | undefined, prompt: string): string {
  return seconds === null || seconds === undefined ? prompt : formatDuration(seconds);
}

function timelineRows(incident: Incident, postmortem: Postmortem | null): string[] {
  const events: TimelineEvent[] = [...incident.timeline, ...(postmortem?.timeline ?? [])];
  const ordered = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => {
      const at = (e: TimelineEvent) => (e.at === null ? Number.POSITIVE_INFINITY : Date.parse(e.at));
      return at(a.event) - at(b.event) || a.index - b.index;
    });
  if (ordered.length === 0) return ['| [YYYY-MM-DD HH:MM] | [Event] | [Owner] |'];
  return ordered.map(
    ({ event }) =>
      `| ${event.at === null ? '[YYYY-MM-DD HH:MM]' : formatUtcMinute(event.at)} | ${cell(event.event, '[Event]')} | ${cell(event.owner, '[Owner]')} |`,
  );
}

function actionItemRows(actionItems: ActionItemView[], postmortem: Postmortem | null): string[] {
  const rows = actionItems.map(
    (item) =>
      `| ${item.key} | ${cell(item.summary, '[Description]')} | ${cell(item.owner, '[Owner]')} | ${item.dueDate ?? 'YYYY-MM-DD'} | ${cell(item.status, '[Status]')} |`,
  );
  // Rows of the imported document that have no Jira ticket (yet) are kept as written.
  const known = new Set(actionItems.map((item) => item.key));
  for (const row of postmortem?.actionItems ?? []) {
    if (row.jiraKey !== null && known.has(row.jiraKey)) continue;
    rows.push(
      `| ${cell(row.jiraKey ?? row.ref, '[ID]')} | ${cell(row.description, '[Description]')} | ${cell(row.owner, '[Owner]')} | ${row.dueDate ?? 'YYYY-MM-DD'} | ${cell(row.status, '[Status]')} |`,
    );
  }
  if (rows.length === 0) rows.push('| [ID] | [Description] | [Owner] | YYYY-MM-DD | [Status] |');
  return rows;
}

function linkLines(input: PostmortemExportInput): string[] {
  const { incident, postmortem } = input;
  const lines: string[] = [];
  if (incident.url) lines.push(`*   [Jira: ${incident.key}](${incident.url})`);
  for (const item of input.actionItems) {
    if (item.url) lines.push(`*   [Jira action item: ${item.key}](${item.url})`);
  }
  if (input.publicUrl) {
    lines.push(`*   [Postmortem Insights dashboard](${input.publicUrl.replace(/\/$/, '')}/tab)`);
  }
  for (const link of postmortem?.links ?? []) {
    const url = safeLinkUrl(link.url);
    if (url !== null && lines.some((line) => line.includes(`(${url})`))) continue;
    // A link to anything but http(s) or mailto keeps its label and loses its target.
    lines.push(url === null ? `*   ${link.label}` : `*   [${link.label}](${url})`);
  }
  lines.push('*   [Link to relevant dashboards (Grafana, Datadog)]');
  lines.push('*   [Link to relevant logs (Splunk, ELK)]');
  lines.push('*   [Link to communication threads (Slack)]');
  return lines;
}

export function renderPostmortemMarkdown(input: PostmortemExportInput): string {
  const { incident, postmortem } = input;
  const pm = postmortem;
  const startedAt = incident.startedAt ?? pm?.summary.startedAt ?? null;
  const endedAt = incident.endedAt ?? pm?.summary.endedAt ?? null;
  const duration = span(startedAt, endedAt) ?? pm?.summary.durationSeconds ?? null;
  const services = incident.services.length > 0 ? incident.services : pm?.summary.services;
  const ttd = span(incident.startedAt, incident.detectedAt) ?? pm?.detection.timeToDetectSeconds ?? null;
  const tta = span(incident.detectedAt, incident.acknowledgedAt) ?? pm?.timeToAcknowledgeSeconds ?? null;
  const ttr = span(incident.startedAt, incident.resolvedAt) ?? pm?.timeToResolveSeconds ?? null;
  const detection = incident.detectionMethod ?? pm?.detection.method ?? null;

  const markdown = [
    `# Post-Mortem Report: ${orPrompt(pm?.title ?? incident.summary, '[Incident Title]')}`,
    '',
    '## 1. Incident Summary',
    '',
    `*   **Incident ID:** ${incident.key}`,
    `*   **Date & Time (UTC):** ${startedAt ? formatUtcMinute(startedAt) : '[Start Time]'} - ${endedAt ? formatUtcMinute(endedAt) : '[End Time]'}`,
    `*   **Duration:** ${durationOr(duration, '[e.g., 2 hours 15 minutes]')}`,
    `*   **Service(s) Affected:** ${names(services, '[e.g., User API, Payment Service, Frontend]')}`,
    `*   **Severity:** ${incident.severity ?? pm?.summary.severity ?? '[P0, P1, P2]'}`,
    `*   **Impact:** ${orPrompt(pm?.summary.impact, '[Concise description of business and customer impact, e.g., "Users unable to log in for 2 hours, resulting in X% revenue loss."]')}`,
    `*   **Incident Commander:** ${orPrompt(incident.commander ?? pm?.summary.commander, '[Name]')}`,
    `*   **Key Responders:** ${names(pm?.summary.responders, '[List of individuals/teams involved]')}`,
    '',
    '## 2. Detection',
    '',
    `*   **How was the incident detected?** ${orPrompt(detection, '[e.g., "Automated alert from Prometheus", "Customer report via support channel"]')}`,
    `*   **Time to Detect (MTTD):** ${durationOr(ttd, '[e.g., 5 minutes]')}`,
    `*   **Was detection effective?** ${orPrompt(pm?.detection.effective, '[Yes/No, why/why not]')}`,
    '',
    '## 3. Response Timeline',
    '',
    '| Timestamp (UTC) | Event | Owner |',
    '| :-------------- | :---- | :---- |',
    ...timelineRows(incident, pm),
    '',
    `*   **Time to Acknowledge (MTTA):** ${durationOr(tta, '[e.g., 2 minutes]')}`,
    `*   **Time to Resolve (MTTR):** ${durationOr(ttr, '[e.g., 1 hour 30 minutes]')}`,
    '',
    '## 4. Root Cause Analysis',
    '',
    `*   **What was the immediate cause?** ${orPrompt(pm?.rootCause.immediateCause, '[e.g., "Deployment of new feature X introduced a memory leak in Service Y."]')}`,
    `*   **What were the contributing factors?** ${list(pm?.rootCause.contributingFactors, '[e.g., "Lack of adequate load testing for feature X", "Monitoring alert threshold was too high."]')}`,
    `*   **5 Whys / Fishbone Diagram (if applicable):** ${pm && pm.rootCause.fiveWhys.length > 0 ? pm.rootCause.fiveWhys.map((why, i) => `${i + 1}. ${why}`).join(' ') : '[Brief summary or link to analysis]'}`,
    '',
    '## 5. Resolution',
    '',
    `*   **How was the incident resolved?** ${orPrompt(pm?.resolution.how, '[e.g., "Rolled back deployment of feature X", "Increased database connection pool size."]')}`,
    `*   **Was the resolution effective?** ${orPrompt(pm?.resolution.effective, '[Yes/No]')}`,
    '',
    '## 6. Lessons Learned',
    '',
    `*   **What went well?** ${list(pm?.lessons.wentWell, '[e.g., "Team communication was excellent", "Runbook for database issues was accurate."]')}`,
    `*   **What could have gone better?** ${list(pm?.lessons.couldBeBetter, '[e.g., "Detection could have been faster", "Lack of clear ownership for Service Z."]')}`,
    '',
    '## 7. Action Items',
    '',
    '| ID | Description | Owner | Due Date | Status |',
    '| :- | :---------- | :---- | :------- | :----- |',
    ...actionItemRows(input.actionItems, pm),
    '',
    '## 8. Supporting Information',
    '',
    ...linkLines(input),
    '',
  ]
    .join('\n')
    .replace(/[ \t]+$/gm, ''); // a label followed by nested bullets ends its line here
  // Text from Jira and from the imported document may hold markdown links of its own.
  return neutraliseLinks(markdown);
}
