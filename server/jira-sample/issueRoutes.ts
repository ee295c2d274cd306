/**
 * One issue's routes: read (`GET /rest/api/3/issue/{key}`), its changelog (per issue and
 * the bulk fetch), transitions, links and entity properties.
 */
import { LINK_TYPES, STATUSES } from './catalog.js';
import { renderHistory, renderIssue, resolveFieldSelection } from './render.js';
import {
  decodeToken,
  encodeToken,
  intParam,
  isResult,
  issueOr404 as findIssue,
  jiraError,
  listParam,
  type RouteDeps,
  type RouteRequest,
  type RouteResult,
} from './routeKit.js';

export const ISSUE_CHANGELOG_LIMIT = 100;

export function issueRoutes(deps: RouteDeps) {
  const { store, render } = deps;
  const issueOr404 = (keyOrId: string) => findIssue(store, keyOrId);

  function getIssue(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const expand = new Set((listParam(req.query, 'expand') ?? []).map((e) => e.trim()));
    const fieldIds = resolveFieldSelection(listParam(req.query, 'fields'), 'all');
    return {
      status: 200,
      body: renderIssue(render, issue, {
        fieldIds,
        changelogLimit: expand.has('changelog') ? ISSUE_CHANGELOG_LIMIT : null,
        names: expand.has('names'),
        schema: expand.has('schema'),
        properties: listParam(req.query, 'properties') ?? [],
      }),
    };
  }

  function getChangelog(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const startAtParam = intParam(req.query, 'startAt');
    const maxParam = intParam(req.query, 'maxResults');
    if (startAtParam === 'invalid' || maxParam === 'invalid')
      return jiraError(400, ["'startAt' and 'maxResults' must be integers."]);
    const startAt = Math.max(0, startAtParam ?? 0);
    const maxResults = Math.min(100, Math.max(1, maxParam ?? 100));
    const total = issue.histories.length;
    const values = issue.histories.slice(startAt, startAt + maxResults).map((h) => renderHistory(render, h));
    const isLast = startAt + maxResults >= total;
    const self = `${render.baseUrl}/rest/api/3/issue/${issue.key}/changelog?maxResults=${maxResults}&startAt=${startAt}`;
    const body: Record<string, unknown> = { self, maxResults, startAt, total, isLast, values };
    if (!isLast)
      body.nextPage = `${render.baseUrl}/rest/api/3/issue/${issue.key}/changelog?maxResults=${maxResults}&startAt=${startAt + maxResults}`;
    return { status: 200, body };
  }

  function bulkChangelog(req: RouteRequest): RouteResult {
    const b = req.body as Record<string, unknown> | undefined;
    if (!b || typeof b !== 'object') return jiraError(400, ['The request body must be a JSON object.']);
    const keys = b.issueIdsOrKeys;
    if (!Array.isArray(keys) || keys.length < 1 || keys.length > 1000 || !keys.every((k) => typeof k === 'string')) {
      return jiraError(400, ['issueIdsOrKeys must list between 1 and 1000 issue ids or keys.'], {
        issueIdsOrKeys: 'between 1 and 1000 strings',
      });
    }
    const fieldIds = b.fieldIds;
    if (
      fieldIds !== undefined &&
      (!Array.isArray(fieldIds) || fieldIds.length > 10 || !fieldIds.every((f) => typeof f === 'string'))
    ) {
      return jiraError(400, ['fieldIds may list at most 10 field ids.'], { fieldIds: 'at most 10 strings' });
    }
    const max = b.maxResults === undefined ? 1000 : b.maxResults;
    if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 10000)
      return jiraError(400, ['maxResults must be between 1 and 10000.']);
    let position = { i: 0, h: 0 };
    if (b.nextPageToken !== undefined && b.nextPageToken !== null) {
      const token = typeof b.nextPageToken === 'string' ? decodeToken(b.nextPageToken) : null;
      if (!token || typeof token.i !== 'number' || typeof token.h !== 'number')
        return jiraError(400, ['The provided next page token is invalid or expired.']);
      position = { i: token.i, h: token.h };
    }
    const wanted = fieldIds === undefined || fieldIds.length === 0 ? null : new Set(fieldIds as string[]);
    const issueChangeLogs: { issueId: string; changeHistories: Record<string, unknown>[] }[] = [];
    let budget = max as number;
    let i = position.i;
    let h = position.h;
    while (i < keys.length && budget > 0) {
      const issue = store.get(keys[i] as string);
      if (!issue) {
        i++;
        h = 0;
        continue;
      }
      const histories: Record<string, unknown>[] = [];
      for (; h < issue.histories.length && budget > 0; h++) {
        const history = issue.histories[h];
        if (!history) continue;
        const filtered = wanted
          ? {
              ...history,
              items: history.items.filter((item) => item.fieldId !== undefined && wanted.has(item.fieldId)),
            }
          : history;
        if (filtered.items.length === 0) continue;
        histories.push(renderHistory(render, filtered));
        budget--;
      }
      if (histories.length > 0) issueChangeLogs.push({ issueId: String(issue.id), changeHistories: histories });
      if (h >= issue.histories.length) {
        i++;
        h = 0;
      }
    }
    const body: Record<string, unknown> = { issueChangeLogs };
    if (i < keys.length) body.nextPageToken = encodeToken({ i, h });
    return { status: 200, body };
  }

  function linkIssues(req: RouteRequest): RouteResult {
    const b = req.body as Record<string, Record<string, string> | undefined> | undefined;
    if (!b || typeof b !== 'object') return jiraError(400, ['The request body must be a JSON object.']);
    const errors: Record<string, string> = {};
    const side = (name: 'inwardIssue' | 'outwardIssue'): string | undefined => {
      const value = b[name];
      const keyOrId = value && typeof value === 'object' ? (value.key ?? value.id) : undefined;
      if (typeof keyOrId !== 'string') errors[name] = `The ${name} with a key or id is required.`;
      return typeof keyOrId === 'string' ? keyOrId : undefined;
    };
    const inward = side('inwardIssue');
    const outward = side('outwardIssue');
    const typeRef = b.type;
    if (
      !typeRef ||
      typeof typeRef !== 'object' ||
      (typeof typeRef.name !== 'string' && typeof typeRef.id !== 'string')
    ) {
      errors.type = 'The issue link type with a name or id is required.';
    }
    if (Object.keys(errors).length > 0 || !inward || !outward || !typeRef) return jiraError(400, [], errors);
    const type = LINK_TYPES.find((t) =>
      typeRef.id !== undefined ? t.id === typeRef.id : t.name.toLowerCase() === String(typeRef.name).toLowerCase(),
    );
    if (!type) return jiraError(404, [`No issue link type with name '${typeRef.name ?? typeRef.id}' found.`]);
    if (!store.get(inward) || !store.get(outward)) return jiraError(404, ['Issue Does Not Exist']);
    store.link(inward, outward, type.id);
    return { status: 201 };
  }

  /**
   * `POST /rest/api/3/issue/{key}/transitions` with `{ transition: { id } }`. The sample's
   * workflow lets every status reach every other, and a transition's id is its target
   * status's id (as `GET .../transitions` on a simple Jira workflow often shows).
   */
  function transitionIssue(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const b = req.body as { transition?: { id?: unknown } } | undefined;
    const id = b?.transition?.id;
    if (typeof id !== 'string') return jiraError(400, [], { transition: "The transition with an 'id' is required." });
    const target = STATUSES.find((st) => st.id === id);
    if (!target) return jiraError(400, [], { transition: `Transition id '${id}' is not valid for this issue.` });
    store.transition(issue.key, target.name);
    return { status: 204 };
  }

  function getProperty(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const key = req.params.propertyKey ?? '';
    if (!issue.properties?.has(key)) return jiraError(404, [`The property with key '${key}' does not exist.`]);
    return { status: 200, body: { key, value: issue.properties?.get(key) } };
  }

  function setProperty(req: RouteRequest): RouteResult {
    const issue = issueOr404(req.params.issueIdOrKey ?? '');
    if (isResult(issue)) return issue;
    const key = req.params.propertyKey ?? '';
    if (key.length > 255) return jiraError(400, ['The property key cannot be longer than 255 characters.']);
    if (req.body === undefined) return jiraError(400, ['The property value must be valid JSON.']);
    if (JSON.stringify(req.body).length > 32_768)
      return jiraError(400, ['The property value cannot be longer than 32768 bytes.']);
    const isNew = store.setProperty(issue.key, key, req.body);
    return { status: isNew ? 201 : 200 };
  }

  return { getIssue, getChangelog, bulkChangelog, linkIssues, transitionIssue, getProperty, setProperty };
}
