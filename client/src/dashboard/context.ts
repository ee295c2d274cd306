/**
 * What every part of the dashboard is drawn with: the API, the locale, the view (from the
 * URL) and a way to change it. The parts never touch the URL themselves; dashboard.ts does.
 */
import type { ApiClient } from '../api.js';
import { h } from '../dom.js';
import { viewPath, type ViewState } from '../view-state.js';

export interface DashboardContext {
  api: ApiClient;
  locale: string | null;
  state: ViewState;
  /** Moves to another view (a new history entry) and loads it. */
  navigate(change: Partial<ViewState>): void;
}

/** Rows a list shows before its "Show all" button. */
export const LIST_LIMIT = 20;

/** A link to an incident's view in the tab; a modified click opens it in a new tab as any link does. */
export function incidentLink(context: DashboardContext, key: string | null): HTMLElement | string {
  if (!key) return '—';
  const href = viewPath(location.pathname, { ...context.state, incident: key });
  return h(
    'a',
    {
      href,
      class: 'incident-link',
      onclick: (event) => {
        const e = event as MouseEvent;
        if (e.ctrlKey || e.metaKey || e.shiftKey) return;
        e.preventDefault();
        context.navigate({ incident: key });
      },
    },
    key,
  );
}
