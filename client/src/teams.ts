/**
 * The only module that touches @microsoft/teams-js. The rest of the client sees a `Host`:
 * either Teams (context, theme events, SSO, the configuration page's save) or the plain
 * browser (theme from prefers-color-scheme, no SSO). The SDK is loaded only when the page
 * is framed or opened by another window, so a plain browser never waits for it or loads it.
 */
import type * as TeamsSdk from './teams-sdk.js';
import type { TabSettings } from './tab-settings.js';

export type Theme = 'default' | 'dark' | 'contrast';

export interface HostInfo {
  inTeams: boolean;
  theme: Theme;
  locale: string | null;
  frameContext: string | null;
  teamName: string | null;
  channelId: string | null;
  channelName: string | null;
  /** The chat the tab is in (a group chat, or a meeting's chat). */
  chatId: string | null;
  /** Set inside a meeting (meeting chat, details, side panel, stage). */
  meetingId: string | null;
  /** The sub-entity a deep link opened the tab at (e.g. `review:2026-W47`). */
  subPageId: string | null;
}

/** Sharing to a meeting's stage: present only in the side panel and on the stage. */
export interface StageSharing {
  /** Whether Teams lets this app share to the stage (the user's role and the app's permission). */
  canShare(): Promise<boolean>;
  /** Shares `url` (same origin) to the stage read-only (ScreenShare); rejects with Teams' error in words. */
  share(url: string): Promise<void>;
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
  stage: StageSharing | null;
}

/** How long a framed page waits for a Teams host before running standalone. */
const TEAMS_INIT_TIMEOUT_MS = 3000;

function toTheme(name: string | undefined | null): Theme {
  return name === 'dark' || name === 'contrast' ? name : 'default';
}

function browserTheme(win: Window): Theme {
  if (win.matchMedia('(forced-colors: active)').matches) return 'contrast';
  return win.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'default';
}

function standaloneHost(win: Window = window): Host {
  return {
    info: {
      inTeams: false,
      theme: browserTheme(win),
      locale: win.navigator.language || null,
      frameContext: null,
      teamName: null,
      channelId: null,
      channelName: null,
      chatId: null,
      meetingId: null,
      subPageId: null,
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
    stage: null,
  };
}

function timeout(ms: number, message = 'Teams host did not answer'): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms));
}

/** How long the tab waits for Teams to answer a stage call (the SDK itself waits forever). */
const STAGE_CALL_TIMEOUT_MS = 10_000;

/** Teams' error codes (teams-js `ErrorCode`) in words a person can act on. */
const SDK_ERRORS: Record<number, string> = {
  100: 'this Teams client does not support sharing to the stage',
  500: 'Teams had an internal error',
  501: 'sharing to the stage is not possible here',
  1000: "the app is not allowed to share to this meeting's stage (ask the organiser, or check the app's permissions)",
  4000: 'Teams refused the address to share',
  5000: 'only presenters can share to the stage',
  7000: 'Teams is busy; try again in a moment',
};

export function sdkErrorText(error: { errorCode?: number; message?: string } | null | undefined): string {
  if (!error) return 'Teams did not say why.';
  const words = (error.errorCode !== undefined ? SDK_ERRORS[error.errorCode] : undefined) ?? 'Teams refused';
  const detail = error.message ? `: ${error.message}` : '';
  return `${words[0]!.toUpperCase()}${words.slice(1)}${detail}${error.errorCode !== undefined ? ` (error ${error.errorCode})` : ''}.`;
}

type Sdk = typeof TeamsSdk;

function stageSharing(sdk: Sdk): StageSharing {
  return {
    canShare() {
      const answer = new Promise<boolean>((resolve) => {
        sdk.meeting.getAppContentStageSharingCapabilities((error, capabilities) =>
          resolve(!error && capabilities?.doesAppHaveSharePermission === true),
        );
      });
      return Promise.race([answer, timeout(STAGE_CALL_TIMEOUT_MS)]).catch(() => false);
    },
    share(url) {
      const answer = new Promise<void>((resolve, reject) => {
        sdk.meeting.shareAppContentToStage(
          (error, result) => {
            if (error) reject(new Error(sdkErrorText(error)));
            else if (result === false) reject(new Error('Teams did not share the review.'));
            else resolve();
          },
          url,
          { sharingProtocol: sdk.meeting.SharingProtocol.ScreenShare },
        );
      });
      return Promise.race([
        answer,
        timeout(STAGE_CALL_TIMEOUT_MS, 'Teams did not answer the request to share to the stage.'),
      ]);
    },
  };
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
        frameContext,
        teamName: context.team?.displayName ?? null,
        channelId: context.channel?.id ?? null,
        channelName: context.channel?.displayName ?? null,
        chatId: context.chat?.id ?? null,
        meetingId: context.meeting?.id ?? null,
        subPageId: context.page.subPageId || null,
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
      stage: frameContext === 'sidePanel' || frameContext === 'meetingStage' ? stageSharing(sdk) : null,
    };
  } catch {
    return standaloneHost();
  }
}
