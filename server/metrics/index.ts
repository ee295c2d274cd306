/**
 * Reliability metrics: pure functions over domain types (docs/metrics.md) and the cached service the routes and the digest use.
 */
export { percentileInc, mean, median, summarizeDurations, summarizeOutcomes, durationOutcome } from './stats.js';
export type { DurationPoints, DurationOutcome } from './stats.js';
export { ZoneCalendar, zoneCalendar } from './calendar.js';
export {
  actionItemViews,
  actionItemFacts,
  overdueActionItems,
  actionItemStats,
  actionItemFactsStats,
  effectiveDueDate,
  compareKeys,
} from './actionItems.js';
export type { ActionItemViewOptions, ActionItemFacts } from './actionItems.js';
export {
  computeMetrics,
  computeMetricsGrouped,
  incidentsInWindow,
  weeksOverlapping,
  timeToDetect,
  timeToAcknowledge,
  timeToResolve,
  incidentDurations,
  dataQuality,
  incidentProblems,
  actionItemProblems,
  groupActionItemsByIncident,
  severityKeyOf,
  SEVERITY_KEYS,
  FORMULAS,
} from './compute.js';
export type { MetricsOptions, IncidentDurations } from './compute.js';
export { MetricsService } from './service.js';
export type { MetricsServiceOptions } from './service.js';
export { resolveRange, checkRange, MAX_SPAN_DAYS, DEFAULT_SPAN_DAYS, DATA_QUALITY_PREVIEW } from './query.js';
export type { MetricsQuery, IncidentListQuery, ActionItemListQuery, DataQualityQuery } from './query.js';
