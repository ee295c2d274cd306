/** The configurable tab's choice: the default filters a channel's tab opens with. */
import type { SeverityKey } from '../../server/domain/types.js';
import { DEFAULT_STATE, formatViewState, SEVERITY_KEYS } from './view-state.js';

/** What Teams stores for a configured channel tab (pages.config.setConfig). */
export interface TabSettings {
  contentUrl: string;
  websiteUrl: string;
  entityId: string;
  suggestedDisplayName: string;
}

export const CHANNEL_WINDOWS = ['30', '90', '180'] as const;

export interface ChannelChoice {
  window: string;
  service: string | null;
  severity: string | null;
}

/** Why the choice cannot be saved, or null when it can. */
export function choiceProblem(choice: ChannelChoice, knownServices: ReadonlySet<string>): string | null {
  if (!(CHANNEL_WINDOWS as readonly string[]).includes(choice.window)) return 'Pick a window of 30, 90 or 180 days.';
  if (choice.severity != null && !(SEVERITY_KEYS as readonly string[]).includes(choice.severity))
    return 'Pick a severity from the list.';
  if (choice.service != null && !knownServices.has(choice.service))
    return `There is no service "${choice.service}" in the data; pick one from the list.`;
  return null;
}

export function tabSettings(choice: ChannelChoice, origin: string): TabSettings {
  const query = formatViewState({
    ...DEFAULT_STATE,
    window: choice.window as (typeof CHANNEL_WINDOWS)[number],
    service: choice.service,
    severity: choice.severity as SeverityKey | null,
  });
  const url = `${origin}/tab${query}`;
  const parts = [choice.service ?? 'all', choice.severity ?? 'all', `${choice.window}d`];
  return {
    contentUrl: url,
    websiteUrl: url,
    entityId: `postmortem-insights-${parts.join('-')}`.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64),
    suggestedDisplayName: choice.service ? `Reliability: ${choice.service}` : 'Reliability',
  };
}
