/**
 * The only module that touches @microsoft/teams-js. The rest of the client sees a `Host`:
 * either Teams (context, theme events, SSO, the configuration page's save) or the plain
 * browser (theme from prefers-color-scheme, no SSO). The SDK is loaded only when the page
 * is framed or opened by another window, so a plain browser never waits for it or loads it.
 */
import type { TabSettings } from './tab-settings.js';

export type Theme = 'default' | 'dark' | 'contrast';

export interface HostInfo {
  inTeams: boolean;
  theme: Theme;
  locale: string | null;
  hostName: string | null;
  frameContext: string | null;
  teamName: string | null;
  channelId: string | null;
  channelName: string | null;
}

export interface Host {
  info: HostInfo;
  /** Called with every later theme change (Teams theme event, or the OS colour scheme). */
  onThemeChange(handler: (theme: Theme) => void): void;
  /** Tells Teams the tab has loaded (ends its loading indicator). No-op outside Teams. */
  notifySuccess(): void;
  /** The Teams SSO token; rejects outside Teams. */
  getAuthToken(): Promise<string>;
  /** Present only on Teams' configuration page (frame context `settings`). */
  settings: {
    setValid(valid: boolean): void;
    /** `current()` gives the settings to save when the user presses Save. */
    onSave(current: () => TabSettings): void;
  } | null;
}

/** How long a framed page waits for a Teams host before running standalone. */
export const TEAMS_INIT_TIMEOUT_MS = 3000;

export function toTheme(name: string | undefined | null): Theme {
  return name === 'dark' || name === 'contrast' ? name : 'default';
}

function browserTheme(win: Window): Theme {
  if (win.matchMedia('(forced-colors: active)').matches) return 'contrast';
  return win.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}

export function standaloneHost(win: Window = window): Host {
  return {
    info: {
      inTeams: false,
      theme: browserTheme(win),
      locale: win.navigator.language || null,
      hostName: null,
      frameContext: null,
      teamName: null,
      channelId: null,
      channelName: null,
    },
    onThemeChange(handler) {
      for (const query of ['(prefers-color-scheme: dark)', '(forced-colors: active)']) {
        win.matchMedia(query).addEventListener('change', () => handler(browserTheme(win)));
      }
    },
    notifySuccess() {},
    getAuthToken() {
      return Promise.reject(new Error('Sign-in with Teams SSO works only inside Microsoft Teams.'));
    },
    settings: null,
  };
}

function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error('Teams host did not answer')), ms));
}

/**
 * Connects to Teams when the page is framed (or opened by a Teams window); otherwise, or when
 * initialize fails or takes longer than `timeoutMs`, returns the standalone host at once.
 */
export async function connectHost(options: { timeoutMs?: number } = {}): Promise<Host> {
  const framed = window.parent !== window || window.opener != null;
  if (!framed) return standaloneHost();
  try {
    const sdk = await import('./teams-sdk.js');
    await Promise.race([sdk.app.initialize(), timeout(options.timeoutMs ?? TEAMS_INIT_TIMEOUT_MS)]);
    const context = await Promise.race([sdk.app.getContext(), timeout(options.timeoutMs ?? TEAMS_INIT_TIMEOUT_MS)]);
    const frameContext = context.page.frameContext ?? null;
    const onSettingsPage = frameContext === 'settings' && sdk.pages.config.isSupported();
    return {
      info: {
        inTeams: true,
        theme: toTheme(context.app.theme),
        locale: context.app.locale || null,
        hostName: context.app.host.name ?? null,
        frameContext,
        teamName: context.team?.displayName ?? null,
        channelId: context.channel?.id ?? null,
        channelName: context.channel?.displayName ?? null,
      },
      onThemeChange(handler) {
        sdk.app.registerOnThemeChangeHandler((name) => handler(toTheme(name)));
      },
      notifySuccess() {
        void sdk.app.notifySuccess().catch(() => undefined);
      },
      getAuthToken() {
        return sdk.authentication.getAuthToken();
      },
      settings: onSettingsPage
        ? {
            setValid(valid) {
              sdk.pages.config.setValidityState(valid);
            },
            onSave(current) {
              sdk.pages.config.registerOnSaveHandler((event) => {
                sdk.pages.config.setConfig(current()).then(
                  () => event.notifySuccess(),
                  (error: unknown) => event.notifyFailure(error instanceof Error ? error.message : String(error)),
                );
              });
            },
          }
        : null,
    };
  } catch {
    return standaloneHost();
  }
}
