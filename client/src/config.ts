/**
 * /tab/config: the configurable tab's settings page. The user picks the channel's default
 * filters; Save (in Teams) stores a content URL that carries them.
 */
import { createApiClient } from './api.js';
import { applyTheme, h, selectField } from './dom.js';
import { connectHost } from './teams.js';
import { CHANNEL_WINDOWS, choiceProblem, tabSettings, type ChannelChoice } from './tab-settings.js';
import { SEVERITY_KEYS } from './view-state.js';

const root = document.getElementById('app');
if (!root) throw new Error('The page has no #app element.');
const hostReady = connectHost();
const api = createApiClient({ getToken: async () => (await hostReady).getAuthToken() });
const host = await hostReady;
applyTheme(host.info.theme);
host.onThemeChange(applyTheme);

const services = new Set<string>();
let loadProblem: string | null = null;
try {
  const now = new Date();
  const metrics = await api.metrics({
    from: new Date(now.getTime() - 365 * 86_400_000).toISOString(),
    to: now.toISOString(),
  });
  for (const name of Object.keys(metrics.incidents.byService)) services.add(name);
} catch (error) {
  loadProblem = error instanceof Error ? error.message : String(error);
}

const choice: ChannelChoice = { window: '90', service: null, severity: null };
const selectOf = (name: keyof ChannelChoice, label: string, options: Array<[string, string]>) =>
  selectField(
    name,
    label,
    options,
    choice[name] ?? '',
    (value) => {
      choice[name] = (value || null) as never;
      update();
    },
    'c',
  );
const problem = h('p', { class: 'field-error', role: 'alert', id: 'choice-problem' });
const preview = h('a', { id: 'content-url', target: '_blank', rel: 'noopener' });
// The same page configures a channel tab, a group chat tab and a meeting tab.
const place = host.info.meetingId ? 'meeting' : host.info.channelId ? 'channel' : host.info.chatId ? 'chat' : 'channel';
const where = host.info.channelName ? ` for ${host.info.channelName}` : place === 'channel' ? '' : ` for this ${place}`;
root.removeAttribute('aria-busy');
root.replaceChildren(
  h(
    'main',
    { class: 'config' },
    h('h1', {}, `Postmortem Insights tab${where}`),
    h(
      'p',
      { 'data-place': place },
      `Choose what this ${place}'s dashboard shows when it opens. Anyone can still change the filters in the tab.`,
    ),
    place === 'meeting'
      ? h(
          'p',
          {},
          'During the meeting, the side panel and the stage show the week\'s review agenda; "Share to stage" in the side panel puts it in front of everyone.',
        )
      : null,
    loadProblem
      ? h(
          'p',
          { class: 'error', role: 'alert' },
          `The service list could not be loaded (${loadProblem}); you can still pick a window and severity.`,
        )
      : null,
    h(
      'form',
      { class: 'filters stacked', 'aria-describedby': 'choice-problem', onsubmit: (e) => e.preventDefault() },
      selectOf(
        'window',
        'Window',
        CHANNEL_WINDOWS.map((w) => [w, `Last ${w} days`] as [string, string]),
      ),
      selectOf('service', 'Service', [
        ['', 'All services'],
        ...[...services].sort().map((s) => [s, s] as [string, string]),
      ]),
      selectOf('severity', 'Severity', [
        ['', 'All severities'],
        ...SEVERITY_KEYS.map((s) => [s, s] as [string, string]),
      ]),
    ),
    problem,
    h(
      'p',
      {},
      host.info.inTeams ? 'The tab will open: ' : 'Open this page from Teams to add the tab. It would open: ',
      preview,
    ),
  ),
);

function update(): void {
  const text = choiceProblem(choice, services);
  problem.textContent = text ?? '';
  const settings = tabSettings(choice, location.origin);
  preview.href = settings.contentUrl;
  preview.textContent = settings.contentUrl;
  // Save stays disabled in Teams until the choice is valid.
  host.settings?.setValid(text == null);
}

host.settings?.onSave(() => tabSettings(choice, location.origin));
update();
document.body.dataset.ready = 'true';
host.notifySuccess();
