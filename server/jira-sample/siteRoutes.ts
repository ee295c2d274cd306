/**
 * The sample Jira's site-wide routes: fields, statuses, the API user (`myself`), user
 * search and issue link types.
 */
import { LINK_TYPES, STATUSES, fieldDetailsList } from './catalog.js';
import { renderStatus, renderUser } from './render.js';
import { jiraError, type RouteDeps, type RouteRequest, type RouteResult } from './routeKit.js';

export function siteRoutes(deps: RouteDeps) {
  const { store, render } = deps;

  function linkTypes(): RouteResult {
    return {
      status: 200,
      body: {
        issueLinkTypes: LINK_TYPES.map((t) => ({ ...t, self: `${render.baseUrl}/rest/api/3/issueLinkType/${t.id}` })),
      },
    };
  }

  function linkType(req: RouteRequest): RouteResult {
    const type = LINK_TYPES.find((t) => t.id === req.params.issueLinkTypeId);
    if (!type) return jiraError(404, [`No issue link type with id '${req.params.issueLinkTypeId}' found.`]);
    return { status: 200, body: { ...type, self: `${render.baseUrl}/rest/api/3/issueLinkType/${type.id}` } };
  }

  function findUsers(req: RouteRequest): RouteResult {
    const query = req.query.get('query');
    const accountId = req.query.get('accountId');
    if (!query && !accountId)
      return jiraError(400, ["One of 'query' or 'accountId' query parameters must be provided."]);
    const startAt = Math.max(0, Number(req.query.get('startAt') ?? 0) || 0);
    const maxResults = Math.min(1000, Math.max(1, Number(req.query.get('maxResults') ?? 50) || 50));
    const needle = (query ?? '').toLowerCase();
    const matches = store.users.filter((u) => {
      if (accountId) return u.accountId === accountId;
      const words = u.displayName.toLowerCase().split(/\s+/);
      return (
        words.some((w) => w.startsWith(needle)) ||
        u.displayName.toLowerCase().startsWith(needle) ||
        u.emailAddress.toLowerCase().startsWith(needle)
      );
    });
    return { status: 200, body: matches.slice(startAt, startAt + maxResults).map((u) => renderUser(render, u)) };
  }

  function myself(): RouteResult {
    const user = renderUser(render, deps.apiUser) ?? {};
    return {
      status: 200,
      body: {
        ...user,
        timeZone: render.zone,
        locale: 'en_US',
        groups: { size: 3, items: [] },
        applicationRoles: { size: 1, items: [] },
        expand: 'groups,applicationRoles',
      },
    };
  }

  return {
    fields: (): RouteResult => ({ status: 200, body: fieldDetailsList() }),
    // Added by the sync: changelog moves name statuses by id only; their categories come from here.
    statuses: (): RouteResult => ({ status: 200, body: STATUSES.map((s) => renderStatus(render, s)) }),
    myself,
    linkTypes,
    linkType,
    findUsers,
  };
}
