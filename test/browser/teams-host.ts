/**
 * A stand-in Teams host page. It frames the tab and answers @microsoft/teams-js 2.58.0's
 * postMessage protocol (see docs/meetings.md): initialize, getContext, the SSO token
 * request, notifySuccess, the settings page's validity, save and setSettings, and in a
 * meeting the stage-sharing calls (capabilities, share). Served at https://teams.microsoft.com through request routing,
 * because teams-js trusts only Microsoft hosts. Everything the tab sends is kept in
 * `window.hostLog`; `window.pushEvent(func, args)` sends a host event (theme change, save).
 */
export interface HostPageOptions {
  tabUrl: string;
  frameContext: 'content' | 'settings' | 'sidePanel' | 'meetingStage';
  /** Where the tab lives: a team's channel (default), a meeting (its chat), or a group chat. */
  place?: 'channel' | 'meeting' | 'groupChat';
  /** What `meeting.getAppContentStageSharingCapabilities` answers (default true). */
  sharePermission?: boolean;
  /** An SDK error `meeting.shareAppContentToStage` answers with, instead of success. */
  shareError?: { errorCode: number; message?: string } | null;
  theme: 'default' | 'dark' | 'contrast';
  token: string;
  /** Frame width in CSS pixels (the Teams side panel is 320). */
  width?: number;
  /** The sub-entity a deep link opened the tab at (the digest card's review link: `review:2026-W47`). */
  subEntityId?: string;
  /** Frame height in CSS pixels (default 900). */
  height?: number;
}

export const HOST_ORIGIN = 'https://teams.microsoft.com';

export function hostPageHtml(options: HostPageOptions): string {
  const place = options.place ?? 'channel';
  const context = {
    locale: 'en-gb',
    theme: options.theme,
    appId: 'postmortem-insights-test-app',
    appSessionId: '9f2d7c1e-0a1b-4c2d-8e3f-4a5b6c7d8e9f',
    hostName: 'Teams',
    hostClientType: 'web',
    frameContext: options.frameContext,
    entityId: 'dashboard',
    ...(options.subEntityId ? { subEntityId: options.subEntityId } : {}),
    ...(place === 'channel'
      ? {
          teamId: '19:team@thread.tacv2',
          teamName: 'Reliability',
          channelId: '19:review@thread.tacv2',
          channelName: 'Incident review',
        }
      : { chatId: '19:meeting_review@thread.v2' }),
    ...(place === 'meeting' ? { meetingId: 'MCMjMCMjMTk6bWVldGluZ19yZXZpZXdAdGhyZWFkLnYy' } : {}),
    userObjectId: '00000000-0000-4000-8000-000000000001',
    loginHint: 'ada@contoso.test',
    userPrincipalName: 'ada@contoso.test',
    tid: '00000000-0000-4000-8000-00000000000a',
  };
  const runtime = JSON.stringify({ apiVersion: 4, supports: { app: {}, pages: { config: {} }, authentication: {} } });
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>Stand-in Teams host</title>
<style>body{margin:0;background:#444}iframe{border:0;display:block;width:${options.width ?? 1280}px;height:${options.height ?? 900}px;background:#fff}</style>
</head><body>
<iframe id="tab" title="tab" src="${options.tabUrl}"></iframe>
<script>
  window.hostLog = [];
  let tab = null;
  let tabOrigin = null;
  const context = ${JSON.stringify(context)};
  const runtime = ${JSON.stringify(runtime)};
  window.addEventListener('message', (event) => {
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.func !== 'string') return;
    window.hostLog.push({ func: message.func, args: message.args });
    const reply = (args) => event.source.postMessage({ id: message.id, uuidAsString: message.uuidAsString, args }, event.origin);
    if (message.func === 'initialize') {
      tab = event.source;
      tabOrigin = event.origin;
      reply([context.frameContext, 'web', runtime, '2.58.0']);
    } else if (message.func === 'getContext') {
      reply([context]);
    } else if (message.func === 'authentication.getAuthToken') {
      reply([true, ${JSON.stringify(options.token)}]);
    } else if (message.func === 'settings.setSettings') {
      reply([true]);
    } else if (message.func === 'meeting.getAppContentStageSharingCapabilities') {
      reply([null, { doesAppHaveSharePermission: ${JSON.stringify(options.sharePermission ?? true)} }]);
    } else if (message.func === 'meeting.shareAppContentToStage') {
      const error = ${JSON.stringify(options.shareError ?? null)};
      reply(error ? [error, null] : [null, true]);
    }
  });
  window.pushEvent = (func, args) => tab.postMessage({ func, args }, tabOrigin);
</script>
</body></html>`;
}
