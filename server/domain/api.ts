/**
 * JSON shapes of the HTTP API (docs/api.md). The server's routes return
 * these and the tab's API client reads them; both import this file (types only).
 */
import type {
  ActionItemView,
  DetectionCategory,
  Incident,
  IsoDate,
  IsoInstant,
  Postmortem,
  SeverityKey,
  SyncRun,
} from './types.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

export interface HealthResponse {
  status: 'ok';
  store: 'embedded' | 'mongodb';
  lastSync: { at: IsoInstant; ok: boolean; incidents: number; actionItems: number } | null;
  /** Extensions beyond the contract's fields. */
  demo: boolean;
  counts: { incidents: number; actionItems: number };
  sync?: SyncRun | null;
  digest?: DigestHealth | null;
}

export interface DigestHealth {
  lastWeek: string | null;
  state: string | null;
  at: IsoInstant | null;
  lastError: string | null;
  uncertainWeeks: string[];
  /** Weeks whose post failed (retried by the next run); additive, from the digest. */
  failedWeeks?: string[];
  /** The host of TEAMS_WEBHOOK_URL (never the URL: its `sig` is a credential); null when unset. */
  webhookHost?: string | null;
}

/** Summary statistics of one time metric (seconds). */
export interface TimeMetric {
  count: number;
  missing: number;
  invalid: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface WeekCount {
  weekStart: IsoDate;
  total: number;
  bySeverity: Partial<Record<SeverityKey, number>>;
}

export interface ActionItemStats {
  total: number;
  open: number;
  done: number;
  overdue: number;
  completionRate: number | null;
  onTimeRate: number | null;
  medianDaysToClose: number | null;
}

export interface MetricsCore {
  range: { from: IsoInstant; to: IsoInstant };
  incidents: {
    total: number;
    bySeverity: Partial<Record<SeverityKey, number>>;
    byService: Record<string, number>;
    byWeek: WeekCount[];
    byDetection: Record<DetectionCategory, number>;
  };
  timeToDetect: TimeMetric;
  timeToAcknowledge: TimeMetric;
  timeToResolve: TimeMetric;
  actionItems: ActionItemStats;
}

export interface MetricsResponse extends MetricsCore {
  /** Each time metric by severity. */
  bySeverity?: Partial<
    Record<SeverityKey, { timeToDetect: TimeMetric; timeToAcknowledge: TimeMetric; timeToResolve: TimeMetric }>
  >;
  /** The previous window of equal length, same filters. */
  previous?: MetricsCore;
  /** Per-week medians/p90 of the time metrics and action items opened/closed per week. */
  weekly?: Array<{
    weekStart: IsoDate;
    timeToDetect: TimeMetric;
    timeToAcknowledge: TimeMetric;
    timeToResolve: TimeMetric;
    actionItemsOpened: number;
    actionItemsClosed: number;
    actionItemsOpenAtEnd: number;
  }>;
  dataQuality?: DataQuality;
  /** Which late fixes the window's incidents hit (docs/insights.md). */
  recurrence?: Recurrence;
  /** Whether each change against `previous` is more than noise (docs/insights.md). */
  change?: MetricsChange;
  /** The formula behind each number, as shown in the UI and the digest. */
  formulas?: Record<string, string>;
}

/** An action item that was overdue at one or more of the window's incidents. */
export interface RecurrenceItem {
  key: string;
  incidentKey: string;
  dueDate: IsoDate;
  /** The window's incidents it was overdue at, by place in time, then key. */
  incidents: string[];
}

export interface Recurrence {
  /** How many of the window's incidents are behind an overdue fix. */
  behindOverdueFix: number;
  /** behindOverdueFix / incidents.total; null without incidents. */
  rate: number | null;
  /** The first 20 items, most incidents first, then due date, then key. */
  items: RecurrenceItem[];
  /** How many items there are in all. */
  itemsTotal: number;
}

/** A significance test of one change; p is null when there were too few values to test. */
export interface ChangeSignificance {
  p: number | null;
  significant: boolean;
}

export interface MetricsChange {
  incidents: ChangeSignificance;
  timeToDetect: ChangeSignificance;
  timeToAcknowledge: ChangeSignificance;
  timeToResolve: ChangeSignificance;
}

/** One incident or action item whose data is incomplete or inconsistent, and why. */
export interface DataQualityEntry {
  key: string;
  url: string | null;
  problems: string[];
}

/**
 * The incidents and action items of the window whose data has problems. In
 * `GET /api/metrics` each list holds only its first 20 entries (`DATA_QUALITY_PREVIEW` in server/metrics/query.ts) (same
 * order as the full list) and `totals` says how many there are; `GET /api/data-quality`
 * serves the full lists.
 */
export interface DataQuality {
  /** In the window's incident order (place in time, then key). */
  incidents: DataQualityEntry[];
  /** Sorted by key. */
  actionItems: DataQualityEntry[];
  /** How many entries each full list has (always set by GET /api/metrics; additive). */
  totals?: { incidents: number; actionItems: number };
}

/**
 * GET /api/data-quality: the full data-quality lists of a window, incidents first (in the
 * window's incident order), then action items (by key), pageable with limit/cursor.
 */
export interface DataQualityResponse {
  items: Array<DataQualityEntry & { kind: 'incident' | 'actionItem' }>;
  totals: { incidents: number; actionItems: number };
  nextCursor?: string | null;
}

export interface IncidentsResponse {
  items: Incident[];
  nextCursor?: string | null;
}

export interface IncidentDetailResponse extends Incident {
  actionItems: ActionItemView[];
  /** The action items that were overdue at this incident, by key (docs/insights.md). */
  behindOverdueFixes: string[];
  postmortem: Postmortem | null;
}

export interface ActionItemsResponse {
  items: ActionItemView[];
  nextCursor?: string | null;
}

export interface CreateActionItemRequest {
  summary: string;
  owner?: string;
  dueDate?: IsoDate;
  description?: string;
}

export interface CreateActionItemResponse {
  key: string;
  url: string;
}

export interface ImportPostmortemResponse {
  incident: string;
  actionItems: Array<{
    ref: string | null;
    jiraKey: string | null;
    status: 'created' | 'linked' | 'existing' | 'failed';
    error?: string;
    differences?: string[];
  }>;
  created: string[];
}

/** A headline's change as the review shows it: any subset of the metrics' `change` block. */
export type HeadlineChange = Partial<MetricsChange>;

/** One P0 or P1 incident of the reviewed week, with its post-mortem's state. */
export interface ReviewIncident {
  key: string;
  summary: string;
  severity: SeverityKey;
  status: string;
  resolved: boolean;
  url: string | null;
  placeAt: IsoInstant;
  /** When the post-mortem document was imported; null when none has been. */
  postmortemImportedAt: IsoInstant | null;
  actionItems: { total: number; open: number; done: number; overdue: number };
  /** The action items that were overdue at this incident (when the server computes them). */
  behindOverdueFixes?: string[];
}

/** GET /api/review?week=YYYY-Www: the agenda of a weekly reliability review (docs/meetings.md). */
export interface ReviewResponse {
  week: string;
  previousWeek: string;
  nextWeek: string;
  timezone: string;
  /** The week's Monday and Sunday, as calendar dates in `timezone`. */
  firstDay: IsoDate;
  lastDay: IsoDate;
  range: { from: IsoInstant; to: IsoInstant };
  /** The week's headline numbers, those of the week before (`previous`), and their change when known. */
  headline: Pick<MetricsCore, 'incidents' | 'timeToDetect' | 'timeToAcknowledge' | 'timeToResolve' | 'actionItems'> & {
    previous: Pick<
      MetricsCore,
      'incidents' | 'timeToDetect' | 'timeToAcknowledge' | 'timeToResolve' | 'actionItems'
    > | null;
    change?: HeadlineChange;
  };
  /** The week's P0 and P1 incidents, by severity, then place in time, then key. */
  incidents: ReviewIncident[];
  /** Action items overdue now, grouped by owner (most items first); null owner last. */
  overdueByOwner: Array<{ owner: string | null; items: ActionItemView[] }>;
  /** What changed during the week: action items closed, and those that missed their due date in it. */
  sinceLastReview: { closed: ActionItemView[]; becameOverdue: ActionItemView[] };
  /** The week's incidents behind an overdue fix, with those fixes (when the server computes them). */
  recurrence?: Recurrence;
}
