/**
 * The dashboard: filters in the header, tiles, charts, the overdue list, the incident and
 * action-item lists behind the tiles, and the data-quality panel. Every choice lives in the
 * URL (view-state.ts), so reloading or sharing the link reproduces the view.
 */
import type { Chart } from 'chart.js';
import type {
  ActionItemsResponse,
  ChangeSignificance,
  IncidentsResponse,
  MetricsResponse,
  Recurrence,
  TimeMetric,
} from '../../server/domain/api.js';
import type { ActionItemView, Incident } from '../../server/domain/types.js';
import { ApiError, type ApiClient, type Filters } from './api.js';
import { allCharts, TIME_METRIC_LABELS, type ChartSpec } from './chart-data.js';
import { drawChart } from './charts.js';
import { fullRows, previewRows, shownNote, type QualityRow } from './data-quality.js';
import { applyTheme, externalLink, h, limitedTable, table } from './dom.js';
import { compare, formatDate, formatDuration, formatRate, span, withSignificance, type Comparison } from './format.js';
import { formulaText } from './formulas.js';
import { renderIncidentView } from './incident-view.js';
import type { Host, Theme } from './teams.js';
import {
  customWindowProblem,
  formatViewState,
  parseViewState,
  SEVERITY_KEYS,
  TIME_METRICS,
  windowLabel,
  windowRange,
  type ViewState,
  type WindowChoice,
} from './view-state.js';

/** Read by the browser tests: what each chart was drawn with. */
declare global {
  interface Window {
    __pmCharts?: Record<
      string,
      {
        labels: string[];
        series: Array<{ label: string; data: Array<number | null> }>;
        theme: Theme;
        colours: string[];
      }
    >;
  }
}

export interface DashboardOptions {
  root: HTMLElement;
  api: ApiClient;
  host: Host;
  now?: () => Date;
}

export class Dashboard {
  private state: ViewState;
  private theme: Theme;
  private charts: Chart[] = [];
  private chartSpecs: ChartSpec[] = [];
  private loadSeq = 0;
  private knownServices = new Set<string>();
  private metrics: MetricsResponse | null = null;
  private readonly header: HTMLElement;
  private readonly main: HTMLElement;
  private readonly now: () => Date;
  private firstRender: (() => void) | null;

  constructor(
    private readonly options: DashboardOptions,
    onFirstRender: () => void,
  ) {
    this.state = parseViewState(location.search);
    this.theme = options.host.info.theme;
    this.now = options.now ?? (() => new Date());
    this.firstRender = onFirstRender;
    applyTheme(this.theme);
    if (options.host.info.locale) document.documentElement.lang = options.host.info.locale;
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
    this.theme = theme;
    applyTheme(theme);
    this.redrawCharts();
  }

  navigate(change: Partial<ViewState>): void {
    this.state = { ...this.state, ...change };
    history.pushState(null, '', `${location.pathname}${formatViewState(this.state)}`);
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
    const seq = ++this.loadSeq;
    const state = this.state;
    if (options.quiet && !state.incident) {
      // Fetch first, so the page changes once, with the new data.
      const range = windowRange(state, this.now());
      const filters = { ...range, service: state.service, severity: state.severity };
      const api = this.options.api;
      let data: [
        MetricsResponse,
        Awaited<ReturnType<typeof api.incidents>>,
        Awaited<ReturnType<typeof api.actionItems>>,
      ];
      try {
        data = await Promise.all([
          api.metrics(filters),
          api.incidents(filters),
          api.actionItems({ overdue: true, service: state.service }),
        ]);
      } catch {
        return; // A failed live update leaves the page as it was; the next change tries again.
      }
      if (seq !== this.loadSeq) return;
      const [metrics, incidents, overdue] = data;
      this.destroyCharts();
      this.metrics = metrics;
      for (const name of Object.keys(metrics.incidents.byService)) this.knownServices.add(name);
      this.renderHeader();
      this.renderMetrics(metrics);
      this.main.append(h('div', { class: 'lists' }, ...this.renderLists(metrics, incidents, overdue, filters)));
      return;
    }
    this.renderHeader();
    this.destroyCharts();
    if (state.incident) {
      await renderIncidentView({
        container: this.main,
        api: this.options.api,
        incidentKey: state.incident,
        locale: this.options.host.info.locale,
        onBack: () => this.navigate({ incident: null }),
        isCurrent: () => seq === this.loadSeq,
      });
      this.markRendered();
      return;
    }
    this.main.replaceChildren(h('p', { class: 'state', role: 'status' }, 'Loading the dashboard…'));
    this.main.setAttribute('aria-busy', 'true');
    const range = windowRange(state, this.now());
    const filters = { ...range, service: state.service, severity: state.severity };
    const api = this.options.api;
    const metricsP = api.metrics(filters);
    const incidentsP = api.incidents(filters);
    const overdueP = api.actionItems({ overdue: true, service: state.service });
    // Lists are awaited later; keep their rejections from being reported as unhandled.
    incidentsP.catch(() => undefined);
    overdueP.catch(() => undefined);
    let metrics: MetricsResponse;
    try {
      metrics = await metricsP;
    } catch (error) {
      if (seq === this.loadSeq) this.renderError(error);
      return;
    }
    if (seq !== this.loadSeq) return;
    this.metrics = metrics;
    for (const name of Object.keys(metrics.incidents.byService)) this.knownServices.add(name);
    this.renderHeader();
    this.renderMetrics(metrics);
    this.markRendered();
    const lists = h('div', { class: 'lists' }, h('p', { class: 'state', role: 'status' }, 'Loading lists…'));
    this.main.append(lists);
    try {
      const [incidents, overdue] = await Promise.all([incidentsP, overdueP]);
      if (seq !== this.loadSeq) return;
      lists.replaceChildren(...this.renderLists(metrics, incidents, overdue, filters));
      openDetailsForHash();
    } catch (error) {
      if (seq !== this.loadSeq) return;
      lists.replaceChildren(errorBox(error, () => void this.load()));
    } finally {
      this.main.removeAttribute('aria-busy');
    }
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

  // Header: title, where the tab is (team/channel in Teams), and the filters.
  private renderHeader(): void {
    const { state } = this;
    const info = this.options.host.info;
    const where =
      info.inTeams && (info.teamName || info.channelName)
        ? [info.teamName, info.channelName].filter(Boolean).join(' › ')
        : null;
    const services = [...this.knownServices];
    if (state.service) services.push(state.service);
    const serviceOptions = [...new Set(services)].sort((a, b) => a.localeCompare(b));

    const windowSelect = select(
      'window',
      'Window',
      [
        ['30', 'Last 30 days'],
        ['90', 'Last 90 days'],
        ['180', 'Last 180 days'],
        ['custom', 'Custom…'],
      ],
      state.window,
      (value) => {
        if (value === 'custom') {
          const range = windowRange(state, this.now());
          const to = new Date(Date.parse(range.to) - 1).toISOString().slice(0, 10);
          this.navigate({ window: 'custom', from: range.from.slice(0, 10), to });
        } else {
          this.navigate({ window: value as WindowChoice, from: null, to: null });
        }
      },
    );
    const serviceSelect = select(
      'service',
      'Service',
      [['', 'All services'], ...serviceOptions.map((s) => [s, s] as [string, string])],
      state.service ?? '',
      (value) => this.navigate({ service: value || null, owner: null }),
    );
    const severitySelect = select(
      'severity',
      'Severity',
      [['', 'All severities'], ...SEVERITY_KEYS.map((s) => [s, s] as [string, string])],
      state.severity ?? '',
      (value) => this.navigate({ severity: (value || null) as ViewState['severity'] }),
    );

    const controls: HTMLElement[] = [windowSelect, serviceSelect, severitySelect];
    if (state.window === 'custom') controls.splice(1, 0, this.customRange());

    const focusedName = (document.activeElement as HTMLElement | null)?.getAttribute?.('name');
    this.header.replaceChildren(
      h(
        'div',
        { class: 'title' },
        h('h1', {}, 'Postmortem Insights'),
        where ? h('span', { class: 'where' }, where) : null,
      ),
      h('form', { class: 'filters', 'aria-label': 'Filters', onsubmit: (e) => e.preventDefault() }, ...controls),
    );
    if (focusedName) (this.header.querySelector(`[name="${focusedName}"]`) as HTMLElement | null)?.focus();
  }

  private customRange(): HTMLElement {
    const { state } = this;
    const from = h('input', { type: 'date', name: 'from', value: state.from ?? '', required: true });
    const to = h('input', { type: 'date', name: 'to', value: state.to ?? '', required: true });
    const message = h('span', { class: 'field-error', id: 'range-error', role: 'alert' });
    const apply = h('button', { type: 'button', name: 'apply-range' }, 'Apply');
    apply.addEventListener('click', () => {
      const problem = customWindowProblem(from.value, to.value);
      message.textContent = problem ?? '';
      from.setAttribute('aria-invalid', String(Boolean(problem)));
      to.setAttribute('aria-invalid', String(Boolean(problem)));
      if (!problem) this.navigate({ window: 'custom', from: from.value, to: to.value });
    });
    return h(
      'fieldset',
      { class: 'range', 'aria-describedby': 'range-error' },
      h('legend', { class: 'sr-only' }, 'Custom window (dates inclusive, UTC)'),
      h('label', {}, 'From ', from),
      h('label', {}, 'To ', to),
      apply,
      message,
    );
  }

  // Tiles and charts: everything /api/metrics answers.
  private renderMetrics(metrics: MetricsResponse): void {
    const locale = this.options.host.info.locale;
    const f = metrics.formulas;
    const prev = metrics.previous;
    const range = `${formatDate(metrics.range.from, locale)} – ${formatDate(metrics.range.to, locale)}`;
    const tiles = h(
      'section',
      { class: 'tiles', 'aria-label': 'Key numbers' },
      tile({
        id: 'incidents',
        label: 'Incidents',
        href: '#incidents',
        values: [
          {
            text: String(metrics.incidents.total),
            note: windowLabel(this.state),
            comparison: withSignificance(
              compare(metrics.incidents.total, prev?.incidents.total, { lowerIsBetter: true, format: String }),
              metrics.change?.incidents,
              'Exact binomial test',
            ),
          },
        ],
        formula: formulaText(f, 'inRange', 'previous', 'changeIncidents'),
      }),
      ...TIME_METRICS.slice()
        .sort(byTimeOrder)
        .map((name) =>
          timeTile(
            name,
            metrics[name],
            prev?.[name],
            metrics.change?.[name],
            formulaText(f, name, 'median', 'p90', 'previous', 'changeDurations'),
          ),
        ),
      tile({
        id: 'action-items',
        label: 'Action items',
        href: '#overdue',
        values: [
          {
            text: String(metrics.actionItems.open),
            note: 'open',
            comparison: compare(metrics.actionItems.open, prev?.actionItems.open, {
              lowerIsBetter: true,
              format: String,
            }),
          },
          {
            text: String(metrics.actionItems.overdue),
            note: 'overdue',
            comparison: compare(metrics.actionItems.overdue, prev?.actionItems.overdue, {
              lowerIsBetter: true,
              format: String,
            }),
          },
        ],
        formula: formulaText(f, 'actionItems', 'overdue'),
      }),
      tile({
        id: 'on-time',
        label: 'On-time rate',
        href: '#action-items',
        values: [
          {
            text: formatRate(metrics.actionItems.onTimeRate),
            note: `of ${metrics.actionItems.done} done`,
            comparison: compare(metrics.actionItems.onTimeRate, prev?.actionItems.onTimeRate, {
              lowerIsBetter: false,
              format: formatRate,
            }),
          },
        ],
        formula: formulaText(f, 'onTimeRate', 'previous'),
      }),
    );
    const empty =
      metrics.incidents.total === 0
        ? h(
            'p',
            { class: 'state empty', role: 'status' },
            `No incidents in ${windowLabel(this.state)} with these filters. Try a longer window or clear the filters.`,
          )
        : null;
    this.chartSpecs = allCharts(metrics, this.state.metric);
    const charts = h(
      'section',
      { class: 'charts', 'aria-label': 'Charts' },
      ...this.chartSpecs.map((spec) => this.chartFigure(spec)),
    );
    this.main.replaceChildren(
      h('p', { class: 'range-line' }, `${windowLabel(this.state)}: ${range}`),
      tiles,
      empty ?? '',
      charts,
    );
    this.redrawCharts();
  }

  private chartFigure(spec: ChartSpec): HTMLElement {
    const headers = ['Label', ...spec.series.map((s) => `${s.label} (${spec.unit})`)];
    const rows = spec.labels.map((label, i) => [label, ...spec.series.map((s) => formatCell(s.data[i]))]);
    const metricSwitch =
      spec.id === 'time-per-week'
        ? h(
            'div',
            { class: 'switch', role: 'group', 'aria-label': 'Time metric' },
            ...TIME_METRICS.slice()
              .sort(byTimeOrder)
              .map((name) =>
                h(
                  'button',
                  {
                    type: 'button',
                    'data-metric': name,
                    'aria-pressed': String(this.state.metric === name),
                    onclick: () => this.switchMetric(name),
                  },
                  TIME_METRIC_LABELS[name].short,
                ),
              ),
          )
        : null;
    return h(
      'figure',
      { class: 'chart', id: `chart-${spec.id}`, 'data-chart': spec.id },
      h('figcaption', {}, h('h2', {}, spec.title), metricSwitch),
      spec.labels.length
        ? h(
            'div',
            { class: 'canvas-box' },
            h('canvas', { role: 'img', 'aria-label': `${spec.title}. ${spec.summary}` }),
          )
        : h('p', { class: 'state empty' }, 'Nothing to draw for this window.'),
      h('p', { class: 'summary' }, spec.summary),
      h('details', { class: 'alt' }, h('summary', {}, 'Data table'), table(spec.title, headers, rows)),
    );
  }

  private switchMetric(metric: ViewState['metric']): void {
    this.state = { ...this.state, metric };
    history.replaceState(null, '', `${location.pathname}${formatViewState(this.state)}`);
    if (!this.metrics) return;
    const index = this.chartSpecs.findIndex((s) => s.id === 'time-per-week');
    const spec = allCharts(this.metrics, metric)[1];
    if (index < 0 || !spec) return;
    this.chartSpecs[index] = spec;
    const old = this.main.querySelector('[data-chart="time-per-week"]');
    old?.replaceWith(this.chartFigure(spec));
    this.redrawCharts();
    (this.main.querySelector(`[data-metric="${metric}"]`) as HTMLElement | null)?.focus();
  }

  private destroyCharts(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  private redrawCharts(): void {
    this.destroyCharts();
    window.__pmCharts = {};
    for (const spec of this.chartSpecs) {
      const canvas = this.main.querySelector<HTMLCanvasElement>(`[data-chart="${spec.id}"] canvas`);
      const chart = canvas ? drawChart(canvas, spec, this.theme) : null;
      if (chart) this.charts.push(chart);
      window.__pmCharts[spec.id] = {
        labels: spec.labels,
        series: spec.series.map((s) => ({ label: s.label, data: s.data })),
        theme: this.theme,
        colours: chart ? chart.data.datasets.map((d) => String(d.borderColor)) : [],
      };
    }
    if (this.charts.length && !performance.getEntriesByName('first-chart').length) performance.mark('first-chart');
  }

  // Lists behind the tiles, the overdue list, and the data-quality panel.
  private renderLists(
    metrics: MetricsResponse,
    incidents: IncidentsResponse,
    overdue: ActionItemsResponse,
    filters: Filters,
  ): HTMLElement[] {
    const locale = this.options.host.info.locale;
    const inWindow = new Set(incidents.items.map((i) => i.key));
    const windowOverdue = overdue.items.filter((item) => item.incidentKey != null && inWindow.has(item.incidentKey));
    const recurrence = metrics.recurrence ?? { behindOverdueFix: 0, rate: null, items: [], itemsTotal: 0 };
    return [
      this.lateFixesSection(recurrence, metrics, overdue.items, locale),
      this.overdueSection(windowOverdue, overdue.items.length - windowOverdue.length, locale, recurrence),
      this.incidentsSection(incidents.items, locale),
      this.actionItemsSection(inWindow, locale),
      this.dataQualitySection(metrics, filters),
    ];
  }

  private incidentLink(key: string | null): HTMLElement | string {
    if (!key) return '—';
    const href = `${location.pathname}${formatViewState({ ...this.state, incident: key })}`;
    return h(
      'a',
      {
        href,
        class: 'incident-link',
        onclick: (event) => {
          const e = event as MouseEvent;
          if (e.ctrlKey || e.metaKey || e.shiftKey) return;
          e.preventDefault();
          this.navigate({ incident: key });
        },
      },
      key,
    );
  }

  /**
   * "Late fixes the next incidents hit": the action items that were overdue when later
   * incidents of their service happened (recurrence in /api/metrics), most incidents first.
   * Owner and days overdue come from the overdue list; a fix done since is looked up by its incident.
   */
  private lateFixesSection(
    recurrence: Recurrence,
    metrics: MetricsResponse,
    overdue: ActionItemView[],
    locale: string | null,
  ): HTMLElement {
    const f = metrics.formulas;
    const views = new Map(overdue.map((view) => [view.key, view]));
    const total = metrics.incidents.total;
    const count = h(
      'p',
      {
        class: 'recurrence-count',
        'data-recurrence': String(recurrence.behindOverdueFix),
        title: formulaText(f, 'behindOverdueFix', 'recurrenceRate'),
      },
      h('strong', {}, `${recurrence.behindOverdueFix} of ${total}`),
      ` incidents in this window came while a fix on the same service was overdue (${formatRate(recurrence.rate)}).`,
    );
    const formula = h(
      'p',
      { class: 'formula-line', role: 'note' },
      formulaText(f, 'behindOverdueFix', 'recurrenceRate', 'lateFixes'),
    );
    const rows = recurrence.items.map((item) => {
      const known = views.get(item.key);
      const owner = h('span', { 'data-owner': item.key }, known ? (known.owner ?? 'no owner') : '…');
      const late = h(
        'strong',
        { 'data-late': item.key },
        views.has(item.key) ? String(views.get(item.key)?.daysOverdue ?? 0) : '…',
      );
      const summary = h('span', {}, views.get(item.key)?.summary ?? '');
      const link = h(
        'span',
        {},
        views.get(item.key) ? externalLink(views.get(item.key)?.url ?? null, item.key) : item.key,
      );
      if (!views.has(item.key)) {
        // Done since, or not overdue any more: its incident's action items name it.
        void this.options.api.actionItems({ incident: item.incidentKey }).then(
          (answer) => {
            const view = answer.items.find((candidate) => candidate.key === item.key);
            owner.textContent = view?.owner ?? 'no owner';
            summary.textContent = view?.summary ?? '';
            late.textContent = view?.statusCategory === 'done' ? 'done since' : String(view?.daysOverdue ?? 0);
            if (view?.url) link.replaceChildren(externalLink(view.url, item.key));
          },
          () => {
            owner.textContent = '—';
            late.textContent = '—';
          },
        );
      }
      return [
        link,
        summary,
        owner,
        formatDate(item.dueDate, locale),
        late,
        h(
          'span',
          { class: 'hits' },
          h('strong', {}, String(item.incidents.length)),
          ': ',
          ...item.incidents.slice(0, 8).flatMap((key, i) => [i ? ', ' : '', this.incidentLink(key)]),
          item.incidents.length > 8 ? ` and ${item.incidents.length - 8} more` : '',
        ),
        this.incidentLink(item.incidentKey),
      ];
    });
    const body = rows.length
      ? table(null, ['Fix', 'Summary', 'Owner', 'Due', 'Days late', 'Incidents since', 'Its incident'], rows, {
          'data-list': 'late-fixes',
        })
      : h(
          'p',
          { class: 'state empty', 'data-list': 'late-fixes' },
          'No incident in this window came while a fix on its service was overdue.',
        );
    return h(
      'section',
      { id: 'late-fixes', 'aria-labelledby': 'late-fixes-h' },
      h('h2', { id: 'late-fixes-h' }, 'Late fixes the next incidents hit'),
      count,
      body,
      recurrence.itemsTotal > recurrence.items.length
        ? h(
            'p',
            { class: 'note' },
            `Showing ${recurrence.items.length} of ${recurrence.itemsTotal} late fixes, most incidents first.`,
          )
        : null,
      formula,
    );
  }

  private overdueSection(
    items: ActionItemView[],
    elsewhere: number,
    locale: string | null,
    recurrence: Recurrence,
  ): HTMLElement {
    const owners = [...new Set(items.map((i) => i.owner ?? ''))].sort((a, b) => a.localeCompare(b));
    const owner = this.state.owner;
    // Incidents each item was overdue at: known for the listed late fixes; the rest had at most
    // as many as the last one listed (none at all when every late fix is listed).
    const hits = new Map(recurrence.items.map((item) => [item.key, item.incidents.length]));
    const last = recurrence.items[recurrence.items.length - 1];
    const bound = recurrence.itemsTotal > recurrence.items.length && last ? last.incidents.length : 0;
    const hitsOf = (key: string) => hits.get(key) ?? -1;
    const byIncidents = this.state.overdueSort === 'incidents';
    const shown = items
      .filter((item) => owner == null || (item.owner ?? '') === (owner === '(none)' ? '' : owner))
      .sort(
        (a, b) =>
          (byIncidents ? hitsOf(b.key) - hitsOf(a.key) : 0) ||
          (b.daysOverdue ?? 0) - (a.daysOverdue ?? 0) ||
          a.key.localeCompare(b.key),
      );
    const ownerFilter = select(
      'owner',
      'Owner',
      [['', 'All owners'], ...owners.map((o) => [o || '(none)', o || '(no owner)'] as [string, string])],
      owner ?? '',
      (value) => this.navigate({ owner: value || null }),
    );
    const sortChoice = select(
      'sort',
      'Sort by',
      [
        ['days', 'Days overdue'],
        ['incidents', 'Incidents since it was due'],
      ],
      this.state.overdueSort,
      (value) => this.navigate({ overdueSort: value === 'incidents' ? 'incidents' : 'days' }),
    );
    const body = shown.length
      ? limitedTable(
          ['Key', 'Summary', 'Owner', 'Incident', 'Due', 'Days overdue', 'Incidents since'],
          shown.map((item) => [
            externalLink(item.url, item.key),
            item.summary,
            item.owner ?? h('em', {}, 'no owner'),
            this.incidentLink(item.incidentKey),
            h(
              'span',
              {},
              formatDate(item.dueDate, locale),
              item.dueDateSource === 'sla'
                ? h(
                    'abbr',
                    { class: 'sla', title: 'Due date derived from the severity SLA (no due date in Jira)' },
                    ' SLA',
                  )
                : null,
            ),
            h('strong', {}, String(item.daysOverdue ?? 0)),
            hits.has(item.key) ? String(hits.get(item.key)) : bound > 0 ? `≤ ${bound}` : '0',
          ]),
          { 'data-list': 'overdue' },
          LIST_LIMIT,
        )
      : h(
          'p',
          { class: 'state empty', 'data-list': 'overdue' },
          owner
            ? `Nothing overdue for ${owner === '(none)' ? 'items without an owner' : owner}.`
            : 'Nothing is overdue. Every open action item of these incidents is within its due date.',
        );
    return h(
      'section',
      { id: 'overdue', 'aria-labelledby': 'overdue-h' },
      h('h2', { id: 'overdue-h' }, `Overdue action items (${shown.length})`),
      h('div', { class: 'section-tools' }, ownerFilter, sortChoice),
      body,
      elsewhere > 0
        ? h(
            'p',
            { class: 'note' },
            `${elsewhere} more overdue action items belong to incidents outside this window or filter (or to no incident).`,
          )
        : null,
    );
  }

  private incidentsSection(items: Incident[], locale: string | null): HTMLElement {
    const cell = (value: ReturnType<typeof span>) =>
      value === 'missing'
        ? h('span', { class: 'muted' }, 'missing')
        : value === 'invalid'
          ? h('span', { class: 'bad' }, 'out of order')
          : formatDuration(value);
    const sorted = items.slice().sort((a, b) => b.placeAt.localeCompare(a.placeAt));
    return h(
      'details',
      { id: 'incidents' },
      h('summary', {}, h('h2', {}, `Incidents in this window (${items.length})`)),
      sorted.length
        ? limitedTable(
            ['Key', 'Summary', 'Severity', 'Services', 'Started', 'TTD', 'TTA', 'TTR'],
            sorted.map((i) => [
              this.incidentLink(i.key),
              i.summary,
              i.severity ?? 'unknown',
              i.services.join(', ') || '—',
              formatDate(i.startedAt ?? i.placeAt, locale),
              cell(span(i.startedAt, i.detectedAt)),
              cell(span(i.detectedAt, i.acknowledgedAt)),
              cell(span(i.startedAt, i.resolvedAt)),
            ]),
            { 'data-list': 'incidents' },
            LIST_LIMIT,
          )
        : h('p', { class: 'state empty' }, 'No incidents in this window.'),
    );
  }

  /** All action items of the window's incidents, loaded when the section is opened. */
  private actionItemsSection(inWindow: Set<string>, locale: string | null): HTMLElement {
    const content = h('div', {});
    const details = h(
      'details',
      { id: 'action-items' },
      h('summary', {}, h('h2', {}, 'All action items of these incidents')),
      content,
    );
    let loaded = false;
    const load = async () => {
      if (loaded) return;
      loaded = true;
      content.replaceChildren(h('p', { class: 'state', role: 'status' }, 'Loading action items…'));
      try {
        const all = await this.options.api.actionItems({ service: this.state.service });
        const items = all.items
          .filter((i) => i.incidentKey != null && inWindow.has(i.incidentKey))
          .sort((a, b) => a.statusCategory.localeCompare(b.statusCategory) || a.key.localeCompare(b.key));
        content.replaceChildren(
          items.length
            ? limitedTable(
                ['Key', 'Summary', 'Status', 'Owner', 'Incident', 'Due', 'Resolved'],
                items.map((i) => [
                  externalLink(i.url, i.key),
                  i.summary,
                  i.status,
                  i.owner ?? '—',
                  this.incidentLink(i.incidentKey),
                  formatDate(i.dueDate, locale),
                  formatDate(i.resolvedAt, locale),
                ]),
                { 'data-list': 'action-items' },
                LIST_LIMIT,
              )
            : h('p', { class: 'state empty' }, 'These incidents have no action items.'),
        );
      } catch (error) {
        loaded = false;
        content.replaceChildren(errorBox(error, () => void load()));
      }
    };
    details.addEventListener('toggle', () => {
      if (details.open) void load();
    });
    return details;
  }

  /**
   * The entries /api/metrics carried (the first of each list) and, when there are more,
   * "Show all", which fetches the full lists from /api/data-quality with the same filters.
   */
  private dataQualitySection(metrics: MetricsResponse, filters: Filters): HTMLElement {
    const quality = metrics.dataQuality;
    const heading = h('h2', { id: 'quality-h' }, 'Data quality');
    if (!quality)
      return h(
        'section',
        { id: 'data-quality', 'aria-labelledby': 'quality-h' },
        heading,
        h('p', { class: 'note' }, 'The server did not report data quality.'),
      );
    const locale = this.options.host.info.locale;
    const { rows, total } = previewRows(quality);
    const content = h('div', {});
    const showRows = (shown: QualityRow[]) => {
      const note = shownNote(shown.length, total, locale);
      const more = note
        ? h('button', { type: 'button', class: 'show-all', onclick: () => void loadAll() }, `Show all ${total}`)
        : null;
      content.replaceChildren(
        table(
          null,
          ['Key', 'Kind', 'Problems', 'Link'],
          shown.map((row) =>
            row.kind === 'incident'
              ? [this.incidentLink(row.key), 'incident', row.problems, externalLink(row.url, 'Jira')]
              : [externalLink(row.url, row.key), 'action item', row.problems, ''],
          ),
          { 'data-list': 'data-quality' },
        ),
        ...(note ? [h('p', { class: 'note', 'data-quality-note': '' }, `${note} `, more)] : []),
      );
    };
    const loadAll = async () => {
      content.querySelector('.error')?.remove();
      content.querySelector('.show-all')?.setAttribute('disabled', '');
      content.append(h('p', { class: 'state', role: 'status' }, 'Loading the full lists…'));
      try {
        const answer = await this.options.api.dataQuality(filters);
        const all = fullRows(answer);
        showRows(all);
        // Keyboard users land on the first entry they had not seen.
        const seen = new Set(rows.map((row) => `${row.kind} ${row.key}`));
        const first = all.findIndex((row) => !seen.has(`${row.kind} ${row.key}`)) + 1;
        if (first > 0) (content.querySelector(`tbody tr:nth-child(${first}) a`) as HTMLElement | null)?.focus();
      } catch (error) {
        content.querySelector('[role="status"]')?.remove();
        content.querySelector('.show-all')?.removeAttribute('disabled');
        content.append(errorBox(error, () => void loadAll()));
      }
    };
    if (rows.length) showRows(rows);
    else content.append(h('p', { class: 'state empty' }, 'No data-quality problems in this window.'));
    return h(
      'section',
      { id: 'data-quality', 'aria-labelledby': 'quality-h' },
      heading,
      h(
        'p',
        { class: 'note' },
        'Incidents with missing or out-of-order timestamps count as missing or invalid in the time metrics; action items without an owner or due date cannot be chased.',
      ),
      content,
    );
  }
}

const LIST_LIMIT = 20;

function openDetailsForHash(): void {
  const target = location.hash.length > 1 ? document.getElementById(location.hash.slice(1)) : null;
  if (target instanceof HTMLDetailsElement) target.open = true;
}

function byTimeOrder(a: string, b: string): number {
  const order = ['timeToDetect', 'timeToAcknowledge', 'timeToResolve'];
  return order.indexOf(a) - order.indexOf(b);
}

function formatCell(value: number | null | undefined): string {
  if (value == null) return '—';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function select(
  name: string,
  label: string,
  options: Array<[string, string]>,
  value: string,
  onChange: (value: string) => void,
): HTMLElement {
  const control = h(
    'select',
    { name, id: `f-${name}` },
    ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  control.addEventListener('change', () => onChange(control.value));
  return h('label', { class: 'field', for: `f-${name}` }, h('span', {}, label), control);
}

interface TileValue {
  text: string;
  note: string;
  comparison: Comparison | null;
}

function tile(spec: { id: string; label: string; href: string; values: TileValue[]; formula: string }): HTMLElement {
  const formulaId = `formula-${spec.id}`;
  return h(
    'a',
    { class: 'tile', href: spec.href, title: spec.formula, 'data-tile': spec.id, 'aria-describedby': formulaId },
    h('span', { class: 'tile-label' }, spec.label),
    ...spec.values.map((v) =>
      h(
        'span',
        { class: 'tile-row' },
        h('span', { class: 'tile-value' }, v.text),
        ' ',
        h('span', { class: 'tile-note' }, v.note),
        v.comparison
          ? h(
              'span',
              {
                class: `delta ${v.comparison.direction} ${v.comparison.better == null ? '' : v.comparison.better ? 'better' : 'worse'}${v.comparison.noise ? ' noise' : ''}`,
                ...(v.comparison.test ? { title: v.comparison.test, 'data-test': v.comparison.test } : {}),
              },
              h(
                'span',
                { 'aria-hidden': 'true' },
                v.comparison.direction === 'up' ? '▲ ' : v.comparison.direction === 'down' ? '▼ ' : '= ',
              ),
              v.comparison.text,
              v.comparison.test ? h('span', { class: 'sr-only' }, ` (${v.comparison.test})`) : null,
            )
          : null,
      ),
    ),
    h('span', { class: 'formula', id: formulaId, role: 'note' }, spec.formula),
  );
}

function timeTile(
  name: (typeof TIME_METRICS)[number],
  metric: TimeMetric,
  previous: TimeMetric | undefined,
  change: ChangeSignificance | undefined,
  formula: string,
): HTMLElement {
  const label = TIME_METRIC_LABELS[name];
  const options = { lowerIsBetter: true, format: formatDuration };
  return tile({
    id: name,
    label: `${label.short} · ${label.long}`,
    href: '#incidents',
    values: [
      {
        text: formatDuration(metric.medianSeconds),
        note: 'median',
        comparison: withSignificance(
          compare(metric.medianSeconds, previous?.medianSeconds, options),
          change,
          'Mann-Whitney U test of the medians',
        ),
      },
      {
        text: formatDuration(metric.p90Seconds),
        note: `p90 · n=${metric.count}${metric.missing ? `, ${metric.missing} missing` : ''}${metric.invalid ? `, ${metric.invalid} invalid` : ''}`,
        comparison: compare(metric.p90Seconds, previous?.p90Seconds, options),
      },
    ],
    formula,
  });
}

export function errorBox(error: unknown, retry: () => void): HTMLElement {
  const message = error instanceof ApiError || error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, h('strong', {}, 'Could not load: '), message),
    h('button', { type: 'button', class: 'retry', onclick: retry }, 'Retry'),
  );
}
