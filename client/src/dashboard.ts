/**
 * The dashboard: filters in the header, tiles, charts, the late fixes, the overdue list, the
 * incident and action-item lists behind the tiles, and the data-quality panel. Every choice
 * lives in the URL (view-state.ts), so reloading or sharing the link reproduces the view.
 *
 * This module holds the view and the page's order of work: it reads and writes the URL,
 * fetches (the latest load wins, latest.ts) and hands each part of the page (dashboard/*)
 * what it draws.
 */
import type { ActionItemsResponse, IncidentsResponse, MetricsResponse } from '../../server/domain/api.js';
import type { ApiClient, Filters } from './api.js';
import { ChartsPanel } from './dashboard/charts-panel.js';
import type { DashboardContext } from './dashboard/context.js';
import { dataQualitySection } from './dashboard/data-quality-panel.js';
import { renderHeader } from './dashboard/header.js';
import { actionItemsSection, incidentsSection } from './dashboard/incident-lists.js';
import { lateFixesSection } from './dashboard/late-fixes.js';
import { overdueSection } from './dashboard/overdue-list.js';
import { tilesSection } from './dashboard/tiles.js';
import { applyTheme, errorBox, h } from './dom.js';
import { formatDate } from './format.js';
import { refreshIncidentView, renderIncidentView, type IncidentViewOptions } from './incident-view.js';
import { LatestOnly } from './latest.js';
import type { Host, Theme } from './teams.js';
import {
  parseViewState,
  viewPath,
  windowLabel,
  windowRange,
  type TimeMetricName,
  type ViewState,
} from './view-state.js';

export interface DashboardOptions {
  root: HTMLElement;
  api: ApiClient;
  host: Host;
  now?: () => Date;
}

/** The three reads a view needs, started together. */
interface Reads {
  filters: Filters;
  metrics: Promise<MetricsResponse>;
  incidents: Promise<IncidentsResponse>;
  overdue: Promise<ActionItemsResponse>;
}

export class Dashboard {
  private state: ViewState;
  private readonly latest = new LatestOnly();
  private readonly knownServices = new Set<string>();
  private readonly charts: ChartsPanel;
  private readonly context: DashboardContext;
  private readonly header: HTMLElement;
  private readonly main: HTMLElement;
  private readonly now: () => Date;
  private firstRender: (() => void) | null;
  /** The incident view on the page, if one is. */
  private incidentShown: IncidentViewOptions | null = null;

  constructor(
    private readonly options: DashboardOptions,
    onFirstRender: () => void,
  ) {
    this.state = parseViewState(location.search);
    this.now = options.now ?? (() => new Date());
    this.firstRender = onFirstRender;
    const info = options.host.info;
    this.charts = new ChartsPanel(info.theme, (metric) => this.switchMetric(metric));
    const current = () => this.state;
    this.context = {
      api: options.api,
      locale: info.locale,
      get state() {
        return current();
      },
      navigate: (change) => this.navigate(change),
    };
    applyTheme(info.theme);
    if (info.locale) document.documentElement.lang = info.locale;
    options.root.replaceChildren();
    options.root.removeAttribute('aria-busy');
    this.header = h('header', { class: 'top' });
    this.main = h('main', { id: 'main', tabindex: '-1' });
    options.root.append(h('a', { class: 'skip', href: '#main' }, 'Skip to content'), this.header, this.main);
    options.host.onThemeChange((theme) => this.setTheme(theme));
    // Tiles link to lists that are folded away (#incidents, #action-items): unfold on arrival.
    window.addEventListener('hashchange', openDetailsForHash);
    window.addEventListener('popstate', () => {
      this.state = parseViewState(location.search);
      void this.load();
    });
  }

  setTheme(theme: Theme): void {
    applyTheme(theme);
    this.charts.setTheme(theme);
  }

  navigate(change: Partial<ViewState>): void {
    this.state = { ...this.state, ...change };
    history.pushState(null, '', viewPath(location.pathname, this.state));
    void this.load();
  }

  /**
   * Shows new data without a reload (a live update): the same view and filters, the open
   * sections reopened and the scroll position kept; nothing is cleared while fetching.
   */
  async refresh(): Promise<void> {
    const scrollY = window.scrollY;
    const open = [...this.main.querySelectorAll('details[open][id]')].map((d) => d.id);
    await this.load({ quiet: true });
    for (const id of open) document.getElementById(id)?.setAttribute('open', '');
    window.scrollTo(0, scrollY);
  }

  async load(options: { quiet?: boolean } = {}): Promise<void> {
    const state = this.state;
    if (options.quiet && state.incident && this.incidentShown?.incidentKey === state.incident) {
      // A live update redraws the incident's data in place, in the same turn: the form keeps
      // what was typed, and an action item being created still announces itself.
      await refreshIncidentView(this.incidentShown);
      return;
    }
    const turn = this.latest.begin();
    this.incidentShown = null;
    if (options.quiet && !state.incident) {
      // Fetch first, so the page changes once, with the new data.
      const reads = this.read(state, turn.signal);
      let data: [MetricsResponse, IncidentsResponse, ActionItemsResponse];
      try {
        data = await Promise.all([reads.metrics, reads.incidents, reads.overdue]);
      } catch {
        return; // A failed live update leaves the page as it was; the next change tries again.
      }
      if (!turn.isCurrent()) return;
      const [metrics, incidents, overdue] = data;
      this.showMetrics(metrics);
      this.main.append(h('div', { class: 'lists' }, ...this.lists(metrics, incidents, overdue, reads.filters)));
      return;
    }
    this.renderHeader();
    this.charts.destroy();
    if (state.incident) {
      this.incidentShown = {
        container: this.main,
        api: this.options.api,
        incidentKey: state.incident,
        locale: this.options.host.info.locale,
        onBack: () => this.navigate({ incident: null }),
        isCurrent: turn.isCurrent,
        signal: turn.signal,
      };
      await renderIncidentView(this.incidentShown);
      this.markRendered();
      return;
    }
    this.main.replaceChildren(h('p', { class: 'state', role: 'status' }, 'Loading the dashboard…'));
    this.main.setAttribute('aria-busy', 'true');
    const reads = this.read(state, turn.signal);
    // Lists are awaited later; keep their rejections from being reported as unhandled.
    reads.incidents.catch(() => undefined);
    reads.overdue.catch(() => undefined);
    let metrics: MetricsResponse;
    try {
      metrics = await reads.metrics;
    } catch (error) {
      if (turn.isCurrent()) this.renderError(error);
      return;
    }
    if (!turn.isCurrent()) return;
    this.showMetrics(metrics);
    this.markRendered();
    const lists = h('div', { class: 'lists' }, h('p', { class: 'state', role: 'status' }, 'Loading lists…'));
    this.main.append(lists);
    try {
      const [incidents, overdue] = await Promise.all([reads.incidents, reads.overdue]);
      if (!turn.isCurrent()) return;
      lists.replaceChildren(...this.lists(metrics, incidents, overdue, reads.filters));
      openDetailsForHash();
    } catch (error) {
      if (!turn.isCurrent()) return;
      lists.replaceChildren(errorBox(error, () => void this.load()));
    } finally {
      this.main.removeAttribute('aria-busy');
    }
  }

  private read(state: ViewState, signal: AbortSignal): Reads {
    const { api } = this.options;
    const filters = { ...windowRange(state, this.now()), service: state.service, severity: state.severity };
    return {
      filters,
      metrics: api.metrics(filters, signal),
      incidents: api.incidents(filters, signal),
      overdue: api.actionItems({ overdue: true, service: state.service }, signal),
    };
  }

  private markRendered(): void {
    this.main.removeAttribute('aria-busy');
    document.body.dataset.ready = 'true';
    const first = this.firstRender;
    this.firstRender = null;
    first?.();
  }

  private renderError(error: unknown): void {
    this.main.removeAttribute('aria-busy');
    this.main.replaceChildren(errorBox(error, () => void this.load()));
    this.markRendered();
  }

  private renderHeader(): void {
    renderHeader(this.header, this.context, {
      info: this.options.host.info,
      knownServices: this.knownServices,
      now: this.now(),
    });
  }

  /** The header (with any new service), tiles and charts: everything /api/metrics answers. */
  private showMetrics(metrics: MetricsResponse): void {
    for (const name of Object.keys(metrics.incidents.byService)) this.knownServices.add(name);
    this.renderHeader();
    const locale = this.options.host.info.locale;
    const windowName = windowLabel(this.state);
    const range = `${formatDate(metrics.range.from, locale)} – ${formatDate(metrics.range.to, locale)}`;
    const empty =
      metrics.incidents.total === 0
        ? h(
            'p',
            { class: 'state empty', role: 'status' },
            `No incidents in ${windowName} with these filters. Try a longer window or clear the filters.`,
          )
        : null;
    const charts = this.charts.render(metrics, this.state.metric);
    this.main.replaceChildren(
      h('p', { class: 'range-line' }, `${windowName}: ${range}`),
      tilesSection(metrics, windowName),
      empty ?? '',
      charts,
    );
    this.charts.draw();
  }

  private switchMetric(metric: TimeMetricName): void {
    this.state = { ...this.state, metric };
    history.replaceState(null, '', viewPath(location.pathname, this.state));
    this.charts.showMetric(metric);
  }

  /** The late fixes, the overdue list, the lists behind the tiles and the data-quality panel. */
  private lists(
    metrics: MetricsResponse,
    incidents: IncidentsResponse,
    overdue: ActionItemsResponse,
    filters: Filters,
  ): HTMLElement[] {
    const context = this.context;
    const inWindow = new Set(incidents.items.map((i) => i.key));
    const windowOverdue = overdue.items.filter((item) => item.incidentKey != null && inWindow.has(item.incidentKey));
    const recurrence = metrics.recurrence ?? { behindOverdueFix: 0, rate: null, items: [], itemsTotal: 0 };
    return [
      lateFixesSection(context, recurrence, metrics, overdue.items),
      overdueSection(context, windowOverdue, overdue.items.length - windowOverdue.length, recurrence),
      incidentsSection(context, incidents.items),
      actionItemsSection(context, inWindow),
      dataQualitySection(context, metrics, filters),
    ];
  }
}

function openDetailsForHash(): void {
  const target = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
  if (target instanceof HTMLDetailsElement) target.open = true;
}
