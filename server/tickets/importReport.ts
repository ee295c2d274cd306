/**
 * What `npm run import` prints: the dry-run plan (the parsed document and the tickets it
 * would create) and the import's outcome row by row. Plain text for people; `--json`
 * prints the same objects as JSON instead.
 */
import type { Postmortem } from '../domain/types.js';
import type { DryRunResult, ImportResult } from './importPostmortem.js';

function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m`;
}

function orDash(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '-' : value;
}

export function describePostmortem(p: Postmortem): string[] {
  const s = p.summary;
  const lines = [
    `Incident      ${p.incidentKey}${s.incidentId && s.incidentId !== p.incidentKey ? ` (${s.incidentId})` : ''}: ${orDash(p.title)}`,
    `When          ${orDash(s.startedAt)} - ${orDash(s.endedAt)} (duration ${duration(s.durationSeconds)})`,
    `Severity      ${orDash(s.severity)}    Services: ${s.services.join(', ') || '-'}`,
    `Commander     ${orDash(s.commander)}    Responders: ${s.responders.join(', ') || '-'}`,
    `Impact        ${orDash(s.impact)}`,
    `Detection     ${orDash(p.detection.method)} (TTD ${duration(p.detection.timeToDetectSeconds)}; effective: ${orDash(p.detection.effective)})`,
    `TTA / TTR     ${duration(p.timeToAcknowledgeSeconds)} / ${duration(p.timeToResolveSeconds)}`,
    `Timeline      ${p.timeline.length} events`,
    ...p.timeline.map((e) => `  ${orDash(e.at)}  ${e.event}${e.owner ? ` (${e.owner})` : ''}`),
    `Root cause    ${orDash(p.rootCause.immediateCause)}`,
    ...p.rootCause.contributingFactors.map((f) => `  factor: ${f}`),
    ...p.rootCause.fiveWhys.map((w, i) => `  why ${i + 1}: ${w}`),
    `Resolution    ${orDash(p.resolution.how)} (effective: ${orDash(p.resolution.effective)})`,
    ...p.lessons.wentWell.map((l) => `  went well: ${l}`),
    ...p.lessons.couldBeBetter.map((l) => `  could be better: ${l}`),
    `Links         ${p.links.length}`,
    ...p.links.map((l) => `  ${l.label}${l.url && l.url !== l.label ? ` <${l.url}>` : ''}`),
  ];
  return lines;
}

export function formatDryRun(plan: DryRunResult): string {
  const lines = ['Dry run: nothing is written to Jira or the store.', '', ...describePostmortem(plan.postmortem), ''];
  lines.push(
    plan.incident.exists
      ? `The incident ${plan.incident.key} is known (${plan.incident.source === 'jira' ? 'from Jira' : 'from an earlier import'}).`
      : `The incident ${plan.incident.key} is not in Jira's synced incidents: it would be created as a document-only incident.`,
  );
  lines.push(`Action items: ${plan.tickets.length}`);
  for (const t of plan.tickets) {
    const what =
      t.action === 'create'
        ? `would create a ${t.issueType} in ${t.project ?? '(no project configured)'}`
        : t.action === 'already-created'
          ? `already created as ${t.jiraKey}`
          : `names ${t.jiraKey}: would link it to the incident and compare, not change it`;
    lines.push(`  ${orDash(t.ref).padEnd(12)} ${what}`);
    lines.push(`  ${''.padEnd(12)} "${t.summary}"  owner: ${orDash(t.owner)}  due: ${orDash(t.dueDate)}`);
  }
  if (plan.tickets.some((t) => t.action === 'create' && t.project === null)) {
    lines.push(
      'The import would stop here: set jira.actionItemProject in the config file (the incident is not a Jira issue, so it has no project).',
    );
  }
  for (const w of plan.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export function formatImport(result: ImportResult): string {
  const lines = [
    `Incident ${result.incident} (${result.incidentSource === 'created' ? 'created as a document-only incident' : result.incidentSource === 'jira' ? 'from Jira' : 'document-only, updated'})`,
  ];
  for (const row of result.actionItems) {
    lines.push(
      `  ${row.status.padEnd(8)} ${orDash(row.jiraKey).padEnd(10)} ${orDash(row.ref)}${row.error ? `: ${row.error}` : ''}`,
    );
    for (const d of row.differences ?? []) lines.push(`           differs: ${d}`);
  }
  const failed = result.actionItems.filter((r) => r.status === 'failed').length;
  lines.push(
    `${result.created.length} created, ${result.actionItems.length - result.created.length - failed} already there, ${failed} failed` +
      (failed > 0 ? ': run the import again to create only the missing ones' : ''),
  );
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
