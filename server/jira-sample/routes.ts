/**
 * Route handlers of the sample Jira, one per Jira Cloud REST v3 operation the product uses,
 * gathered from one module per resource: search, issues (read, changelog, links,
 * transitions, properties), issue creation, and site-wide lists.
 */
import { creationRoutes } from './creationRoutes.js';
import { issueRoutes } from './issueRoutes.js';
import type { RouteDeps } from './routeKit.js';
import { searchRoutes } from './searchRoutes.js';
import { siteRoutes } from './siteRoutes.js';

export { jiraError, type RouteDeps, type RouteRequest, type RouteResult } from './routeKit.js';

export function createRoutes(deps: RouteDeps) {
  return { ...searchRoutes(deps), ...siteRoutes(deps), ...issueRoutes(deps), ...creationRoutes(deps) };
}
