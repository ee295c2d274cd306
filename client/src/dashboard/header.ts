/** The dashboard's header: the title, where the tab is (team › channel in Teams) and the filters. */
import { h, selectField } from '../dom.js';
import type { HostInfo } from '../teams.js';
import { customWindowProblem, SEVERITY_KEYS, windowRange, type ViewState, type WindowChoice } from '../view-state.js';
import type { DashboardContext } from './context.js';

export interface HeaderOptions {
  info: HostInfo;
  /** Every service seen in an answer so far: the service filter offers them all. */
  knownServices: ReadonlySet<string>;
  now: Date;
}

/** Draws the header into `header`, keeping the focus on the filter that had it. */
export function renderHeader(header: HTMLElement, context: DashboardContext, options: HeaderOptions): void {
  const { state, navigate } = context;
  const { info } = options;
  const where =
    info.inTeams && (info.teamName || info.channelName)
      ? [info.teamName, info.channelName].filter(Boolean).join(' › ')
      : null;
  const services = [...options.knownServices];
  if (state.service) services.push(state.service);
  const serviceOptions = [...new Set(services)].sort((a, b) => a.localeCompare(b));

  const windowSelect = selectField(
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
        const range = windowRange(state, options.now);
        const to = new Date(Date.parse(range.to) - 1).toISOString().slice(0, 10);
        navigate({ window: 'custom', from: range.from.slice(0, 10), to });
      } else {
        navigate({ window: value as WindowChoice, from: null, to: null });
      }
    },
  );
  const serviceSelect = selectField(
    'service',
    'Service',
    [['', 'All services'], ...serviceOptions.map((s) => [s, s] as [string, string])],
    state.service ?? '',
    (value) => navigate({ service: value || null, owner: null }),
  );
  const severitySelect = selectField(
    'severity',
    'Severity',
    [['', 'All severities'], ...SEVERITY_KEYS.map((s) => [s, s] as [string, string])],
    state.severity ?? '',
    (value) => navigate({ severity: (value || null) as ViewState['severity'] }),
  );

  const controls: HTMLElement[] = [windowSelect, serviceSelect, severitySelect];
  if (state.window === 'custom') controls.splice(1, 0, customRange(context));

  const focusedName = (document.activeElement as HTMLElement | null)?.getAttribute?.('name');
  header.replaceChildren(
    h(
      'div',
      { class: 'title' },
      h('h1', {}, 'Postmortem Insights'),
      where ? h('span', { class: 'where' }, where) : null,
    ),
    h('form', { class: 'filters', 'aria-label': 'Filters', onsubmit: (e) => e.preventDefault() }, ...controls),
  );
  if (focusedName) (header.querySelector(`[name="${focusedName}"]`) as HTMLElement | null)?.focus();
}

/** The custom window's dates, checked before they are asked for. */
function customRange({ state, navigate }: DashboardContext): HTMLElement {
  const from = h('input', { type: 'date', name: 'from', value: state.from ?? '', required: true });
  const to = h('input', { type: 'date', name: 'to', value: state.to ?? '', required: true });
  const message = h('span', { class: 'field-error', id: 'range-error', role: 'alert' });
  const apply = h('button', { type: 'button', name: 'apply-range' }, 'Apply');
  apply.addEventListener('click', () => {
    const problem = customWindowProblem(from.value, to.value);
    message.textContent = problem ?? '';
    from.setAttribute('aria-invalid', String(Boolean(problem)));
    to.setAttribute('aria-invalid', String(Boolean(problem)));
    if (!problem) navigate({ window: 'custom', from: from.value, to: to.value });
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
