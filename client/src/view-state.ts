/**
 * The dashboard's choices, kept in the URL's query string so a link reproduces the view.
 * `window` is 30, 90 or 180 (last N days up to now) or `custom` with `from`/`to` dates
 * (`YYYY-MM-DD`, both inclusive, read as UTC days).
 */
import type { SeverityKey } from '../../server/domain/types.js';

const WINDOWS = ['30', '90', '180', 'custom'] as const;
export type WindowChoice = (typeof WINDOWS)[number];
export const SEVERITY_KEYS: readonly SeverityKey[] = ['P0', 'P1', 'P2', 'P3', 'P4', 'unknown'];
const TIME_METRICS = ['timeToResolve', 'timeToDetect', 'timeToAcknowledge'] as const;
export type TimeMetricName = (typeof TIME_METRICS)[number];

export interface ViewState {
  window: WindowChoice;
  from: string | null;
  to: string | null;
  service: string | null;
  severity: SeverityKey | null;
  owner: string | null;
  /** Which time metric the per-week chart shows. */
  metric: TimeMetricName;
  /** The incident whose detail is open. */
  incident: string | null;
  /** The overdue list's order: days overdue, or the incidents each item was overdue at (docs/insights.md). */
  overdueSort: OverdueSort;
}

const OVERDUE_SORTS = ['days', 'incidents'] as const;
export type OverdueSort = (typeof OVERDUE_SORTS)[number];

export const DEFAULT_STATE: ViewState = {
  window: '90',
  from: null,
  to: null,
  service: null,
  severity: null,
  owner: null,
  metric: 'timeToResolve',
  incident: null,
  overdueSort: 'days',
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real `YYYY-MM-DD` calendar date (not 2026-02-31). */
export function isCalendarDate(value: string | null): value is string {
  if (value == null || !DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function pick<T extends string>(value: string | null, allowed: readonly T[]): T | null {
  return value != null && (allowed as readonly string[]).includes(value) ? (value as T) : null;
}

/** Reads the state from a query string; anything unrecognised falls back to the default. */
export function parseViewState(search: string): ViewState {
  const q = new URLSearchParams(search);
  let window = pick(q.get('window'), WINDOWS) ?? DEFAULT_STATE.window;
  const from = q.get('from');
  const to = q.get('to');
  if (window === 'custom' && !(isCalendarDate(from) && isCalendarDate(to) && from <= to)) window = DEFAULT_STATE.window;
  return {
    window,
    from: window === 'custom' ? from : null,
    to: window === 'custom' ? to : null,
    service: q.get('service') || null,
    severity: pick(q.get('severity'), SEVERITY_KEYS),
    owner: q.get('owner') || null,
    metric: pick(q.get('metric'), TIME_METRICS) ?? DEFAULT_STATE.metric,
    incident: q.get('incident') || null,
    overdueSort: pick(q.get('sort'), OVERDUE_SORTS) ?? DEFAULT_STATE.overdueSort,
  };
}

/** The query string for a state, leaving out defaults so links stay short. */
export function formatViewState(state: ViewState): string {
  const q = new URLSearchParams();
  if (state.window !== DEFAULT_STATE.window) q.set('window', state.window);
  if (state.window === 'custom' && state.from && state.to) {
    q.set('from', state.from);
    q.set('to', state.to);
  }
  if (state.service) q.set('service', state.service);
  if (state.severity) q.set('severity', state.severity);
  if (state.owner) q.set('owner', state.owner);
  if (state.metric !== DEFAULT_STATE.metric) q.set('metric', state.metric);
  if (state.incident) q.set('incident', state.incident);
  if (state.overdueSort !== DEFAULT_STATE.overdueSort) q.set('sort', state.overdueSort);
  const text = q.toString();
  return text ? `?${text}` : '';
}

/** The address of a view on the page at `pathname` (the dashboard's links and history entries). */
export function viewPath(pathname: string, state: ViewState): string {
  return `${pathname}${formatViewState(state)}`;
}

/** Checks a custom window; returns the problem in words, or null when it is valid. */
export function customWindowProblem(from: string, to: string): string | null {
  if (!isCalendarDate(from)) return 'Pick a start date.';
  if (!isCalendarDate(to)) return 'Pick an end date.';
  if (from > to) return 'The start date must be on or before the end date.';
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > 1100) return 'The window can span at most 1,100 days.';
  return null;
}

/** The [from, to) instants the API is asked for. */
export function windowRange(state: ViewState, now: Date): { from: string; to: string } {
  if (state.window === 'custom' && state.from && state.to) {
    const end = new Date(`${state.to}T00:00:00.000Z`);
    end.setUTCDate(end.getUTCDate() + 1);
    return { from: `${state.from}T00:00:00.000Z`, to: end.toISOString() };
  }
  // A preset window ends at the start of the current minute: loads within one minute ask
  // the same question, so the server answers them from its cache.
  const days = Number(state.window);
  const to = Math.floor(now.getTime() / 60_000) * 60_000;
  return { from: new Date(to - days * 86_400_000).toISOString(), to: new Date(to).toISOString() };
}

export function windowLabel(state: ViewState): string {
  return state.window === 'custom' ? `${state.from} to ${state.to}` : `last ${state.window} days`;
}
