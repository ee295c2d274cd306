/**
 * What every route handler of the sample Jira shares: the request and result shapes, Jira's
 * error body, query parameter readers and page tokens. A handler returns `{ status, body }`
 * instead of writing the response, so the server can inject a fault after the work is done
 * (the "fail after doing" mode).
 */
import type { IssueStore, SampleIssue, SampleUser } from './model.js';
import type { RenderContext } from './render.js';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  url: URL;
}

export interface RouteDeps {
  store: IssueStore;
  render: RenderContext;
  apiUser: SampleUser;
  clock: () => number;
}

/** Jira's error body. */
export function jiraError(status: number, messages: string[], errors: Record<string, string> = {}): RouteResult {
  return { status, body: { errorMessages: messages, errors } };
}

export function encodeToken(value: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeToken(token: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function listParam(query: URLSearchParams, name: string): string[] | undefined {
  const values = query.getAll(name);
  return values.length === 0
    ? undefined
    : values
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean);
}

export function intParam(query: URLSearchParams, name: string): number | undefined | 'invalid' {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : 'invalid';
}

export function issueOr404(store: IssueStore, keyOrId: string): SampleIssue | RouteResult {
  const issue = store.get(keyOrId);
  return issue ?? jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
}

export const isResult = (value: unknown): value is RouteResult =>
  typeof value === 'object' &&
  value !== null &&
  'status' in value &&
  typeof (value as { status: unknown }).status === 'number';
