/**
 * The formula behind each number on the tab. The server sends its own (`formulas` in the
 * metrics response) and those win; these are the words used when it does not.
 */
const DEFAULT_FORMULAS: Record<string, string> = {
  inRange: 'Incidents whose start (else created) is in [from, to), kept by the service and severity filters.',
  timeToDetect: 'TTD = detectedAt - startedAt, over incidents with both points in order.',
  timeToAcknowledge: 'TTA = acknowledgedAt - detectedAt, over incidents with both points in order.',
  timeToResolve: 'TTR = resolvedAt - startedAt, over incidents with both points in order.',
  median: 'median = PERCENTILE.INC(x, 0.5).',
  p90: 'p90 = PERCENTILE.INC(x, 0.9).',
  actionItems: 'The action items of the incidents in range.',
  overdue: 'overdue = open items whose due date is before today; daysOverdue = today - due date.',
  onTimeRate: 'onTimeRate = done items resolved on or before their due date / done items with a due date.',
  previous: 'previous = the same numbers for the window of equal length just before this one.',
  behindOverdueFix:
    'An incident is behind an overdue fix when an action item of an earlier incident on one of its services was past its due date and not done when it started.',
  recurrenceRate: 'rate = incidents behind an overdue fix / incidents in range.',
  lateFixes: 'Late fixes = the action items overdue at one or more incidents in range, most incidents first.',
  changeIncidents: 'A change in the incident count is within noise unless an exact binomial test gives p < 0.05.',
  changeDurations:
    'A change in a median is within noise unless a Mann-Whitney U test gives p < 0.05 (not tested below 5 values).',
};

export function formulaText(server: Record<string, string> | undefined, ...keys: string[]): string {
  return keys
    .map((key) => server?.[key] ?? DEFAULT_FORMULAS[key] ?? '')
    .filter(Boolean)
    .join(' ');
}
