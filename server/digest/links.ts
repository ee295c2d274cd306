/**
 * The card's links. Inside Teams a button should open the app's tab, which a Teams deep
 * link does (`/l/entity/<app id>/<entity id>`, with a `subEntityId` the tab reads from
 * its context as `page.subPageId`); without an app id, the web dashboard at PUBLIC_URL.
 * With neither there is nothing to open, and the card leaves the buttons out.
 */

/** The static tab's `entityId` in the app manifest. */
export const TAB_ENTITY_ID = 'dashboard';
/** The sub-entity (and web-page anchor) of the overdue list. */
export const OVERDUE_SUB_ENTITY = 'overdue';

export interface LinkSettings {
  publicUrl: string | null;
  teamsAppId: string | null;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function teamsTabDeepLink(appId: string, webUrl: string | null, subEntityId: string | null): string {
  const params = new URLSearchParams();
  if (webUrl) params.set('webUrl', webUrl);
  params.set('label', 'Postmortem Insights');
  if (subEntityId) params.set('context', JSON.stringify({ subEntityId }));
  return `https://teams.microsoft.com/l/entity/${encodeURIComponent(appId)}/${TAB_ENTITY_ID}?${params.toString()}`;
}

/** The stable address of a week's chart PNG. */
export function chartPath(week: string): string {
  return `/api/digest/chart/${week}.png`;
}

/** The sub-entity of a week's review agenda; the tab reads it from `page.subPageId` (client/src/review.ts). */
export function reviewSubEntity(week: string): string {
  return `review:${week}`;
}

export function digestLinks(
  settings: LinkSettings,
  week: string,
): { dashboard: string | null; overdue: string | null; review: string | null; chart: string | null } {
  const base = settings.publicUrl ? trimSlash(settings.publicUrl) : null;
  const tabUrl = base ? `${base}/tab` : null;
  const overdueUrl = base ? `${base}/tab#${OVERDUE_SUB_ENTITY}` : null;
  const reviewUrl = base ? `${base}/tab?view=review&week=${week}` : null;
  if (settings.teamsAppId) {
    return {
      dashboard: teamsTabDeepLink(settings.teamsAppId, tabUrl, null),
      overdue: teamsTabDeepLink(settings.teamsAppId, overdueUrl, OVERDUE_SUB_ENTITY),
      review: teamsTabDeepLink(settings.teamsAppId, reviewUrl, reviewSubEntity(week)),
      chart: base ? `${base}${chartPath(week)}` : null,
    };
  }
  return {
    dashboard: tabUrl,
    overdue: overdueUrl,
    review: reviewUrl,
    chart: base ? `${base}${chartPath(week)}` : null,
  };
}
