/** The tab's entry: connect to the host (Teams or a plain browser), then run the dashboard or the review. */
import { createApiClient } from './api.js';
import { Dashboard } from './dashboard.js';
import { startLiveUpdates } from './live.js';
import { renderReview } from './review.js';
import { wantsReview } from './review-state.js';
import { connectHost } from './teams.js';

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element.');
const hostReady = connectHost();
// Teams SSO is asked for only when the API answers 401 (AUTH_MODE=teams-sso).
const api = createApiClient({ getToken: async () => (await hostReady).getAuthToken() });
const host = await hostReady;
if (wantsReview(location.search, host.info)) {
  await renderReview({ root, api, host, onFirstRender: () => host.notifySuccess() });
} else {
  const dashboard = new Dashboard({ root, api, host }, () => host.notifySuccess());
  await dashboard.load();
  // A change in Jira (webhook or sync) reaches the open dashboard without a reload.
  startLiveUpdates({ api, onChange: () => dashboard.refresh() });
}
