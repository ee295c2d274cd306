/** The words `npm run sync` prints: one progress line per page, then a summary. */
import type { SyncRun, UpsertCounts } from '../domain/types.js';
import type { SyncProgress } from './runSync.js';

const LABELS = { incidents: 'incidents', actionItems: 'action items' } as const;

function counts(c: UpsertCounts): string {
  return `${c.inserted} inserted, ${c.updated} updated, ${c.unchanged} unchanged`;
}

export function formatProgress(progress: SyncProgress): string {
  return `${LABELS[progress.query]}: page ${progress.pages}, ${progress.issues} read (${counts(progress.counts)}), ${progress.requests} requests`;
}

export function formatSummary(
  run: SyncRun,
  watermarks: { incidents: string | null; actionItems: string | null },
): string[] {
  const wallMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  const problemKeys = new Set(run.problems.filter((p) => p.key !== '*').map((p) => p.key));
  const lines = [
    `${run.ok ? 'Sync finished' : 'Sync FAILED'}${run.full ? ' (full)' : ''} in ${(wallMs / 1000).toFixed(1)} s`,
    `  incidents:    ${counts(run.incidents)}`,
    `  action items: ${counts(run.actionItems)}`,
    `  unreadable fields: ${run.problems.length === 0 ? 'none' : `${problemKeys.size} issue(s)`}`,
    ...run.problems.slice(0, 20).map((p) => `    ${p.key} ${p.field}: ${p.reason}`),
    ...(run.problems.length > 20 ? [`    ... ${run.problems.length - 20} more (see /api/health)`] : []),
    ...(run.removed !== undefined ? [`  removed (gone from Jira or its JQL): ${run.removed}`] : []),
    `  requests: ${run.requests}, retries: ${run.retries}`,
    `  watermarks: incidents ${watermarks.incidents ?? 'none'}, action items ${watermarks.actionItems ?? 'none'}`,
  ];
  if (run.error) lines.push(`  error: ${run.error}`);
  return lines;
}
