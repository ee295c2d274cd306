/**
 * One incident: its time points, its action items, and a form that files a new action
 * item in Jira (POST /api/incidents/:key/action-items).
 */
import type { CreateActionItemRequest, IncidentDetailResponse } from '../../server/domain/api.js';
import type { ApiClient } from './api.js';
import { ApiError } from './api.js';
import { dueDateCell, spanText } from './cells.js';
import { errorBox, externalLink, h, table } from './dom.js';
import { formatDate } from './format.js';
import { validateActionItem } from './validation.js';

export interface IncidentViewOptions {
  container: HTMLElement;
  api: ApiClient;
  incidentKey: string;
  locale: string | null;
  onBack: () => void;
  /** False once the user has navigated elsewhere, so a late answer is dropped. */
  isCurrent: () => boolean;
  /** Aborts the read of the incident once the user has navigated elsewhere. */
  signal?: AbortSignal;
  /** The action item just created, announced above the refreshed view. */
  created?: { key: string; url: string };
}

export async function renderIncidentView(options: IncidentViewOptions): Promise<void> {
  const { container, incidentKey } = options;
  const back = h('button', { type: 'button', class: 'back', onclick: options.onBack }, '← Back to dashboard');
  container.replaceChildren(back, h('p', { class: 'state', role: 'status' }, `Loading ${incidentKey}…`));
  let incident: IncidentDetailResponse;
  try {
    incident = await options.api.incident(incidentKey, options.signal);
  } catch (error) {
    if (!options.isCurrent()) return;
    container.replaceChildren(
      back,
      errorBox(error, () => void renderIncidentView(options)),
    );
    return;
  }
  if (!options.isCurrent()) return;
  const notice = options.created
    ? h(
        'p',
        { class: 'notice', role: 'status' },
        'Created ',
        externalLink(options.created.url, options.created.key),
        ` for ${incident.key}.`,
      )
    : null;
  container.replaceChildren(back, notice ?? '', incidentArticle(options, incident));
  if (!options.created) back.focus();
}

/**
 * Shows the incident's latest data in place (a live update). The form stays in the page
 * as it is, with what was typed, its status and the focus; a notice above stays too.
 */
export async function refreshIncidentView(options: IncidentViewOptions): Promise<void> {
  const shown = [...options.container.querySelectorAll<HTMLElement>('article.incident')].find(
    (article) => article.dataset.incident === options.incidentKey,
  );
  if (!shown) return renderIncidentView(options); // Still loading, or an error: draw it all again.
  let incident: IncidentDetailResponse;
  try {
    incident = await options.api.incident(options.incidentKey, options.signal);
  } catch {
    return; // A failed live update leaves the view as it was; the next change tries again.
  }
  if (!options.isCurrent() || !shown.isConnected) return;
  const form = shown.querySelector('form.create-item');
  const fresh = [...incidentArticle(options, incident).children].filter((child) => !child.matches('form.create-item'));
  for (const child of [...shown.children]) if (child !== form) child.remove();
  if (form) form.before(...fresh);
  else shown.append(...fresh);
}

/** The incident's facts, its post-mortem, the fixes it was behind, its action items and the form. */
function incidentArticle(options: IncidentViewOptions, incident: IncidentDetailResponse): HTMLElement {
  const { locale } = options;
  const facts: Array<[string, string | Node]> = [
    ['Severity', incident.severity ?? 'unknown'],
    ['Services', incident.services.join(', ') || '—'],
    ['Status', incident.status],
    ['Commander', incident.commander ?? '—'],
    ['Started', formatDate(incident.startedAt, locale)],
    ['Detected', formatDate(incident.detectedAt, locale)],
    ['Acknowledged', formatDate(incident.acknowledgedAt, locale)],
    ['Resolved', formatDate(incident.resolvedAt, locale)],
    [
      'TTD / TTA / TTR',
      `${spanText(incident.startedAt, incident.detectedAt)} / ${spanText(incident.detectedAt, incident.acknowledgedAt)} / ${spanText(incident.startedAt, incident.resolvedAt)}`,
    ],
  ];
  const items = incident.actionItems;
  return h(
    'article',
    { class: 'incident', 'data-incident': incident.key },
    h('h2', {}, externalLink(incident.url, incident.key), ` ${incident.summary}`),
    h('dl', { class: 'facts' }, ...facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    postmortemDownload(options.api, incident.key),
    behindOverdueFixes(incident),
    h('h3', {}, `Action items (${items.length})`),
    items.length
      ? table(
          null,
          ['Key', 'Summary', 'Owner', 'Status', 'Due', 'Days overdue'],
          items.map((item) => [
            externalLink(item.url, item.key),
            item.summary,
            item.owner ?? '—',
            item.status,
            dueDateCell(item, locale),
            item.daysOverdue != null ? String(item.daysOverdue) : '—',
          ]),
          { 'data-list': 'incident-action-items' },
        )
      : h('p', { class: 'state empty' }, 'No action items yet.'),
    createForm(options, incident),
  );
}

/** The action items of earlier incidents on its services that were overdue when it started (docs/insights.md). */
function behindOverdueFixes(incident: IncidentDetailResponse): HTMLElement {
  const keys = incident.behindOverdueFixes ?? [];
  return h(
    'section',
    { class: 'behind-fixes', 'data-behind': String(keys.length) },
    h('h3', {}, `Overdue fixes this incident was behind (${keys.length})`),
    keys.length
      ? h(
          'p',
          {},
          'These action items of earlier incidents on the same services were past their due date and not done when it started: ',
          ...keys.flatMap((key, i) => [i ? ', ' : '', h('strong', { 'data-fix': key }, key)]),
          '.',
        )
      : h('p', { class: 'state empty' }, 'None: no fix on its services was overdue when it started.'),
  );
}

function createForm(options: IncidentViewOptions, incident: IncidentDetailResponse): HTMLElement {
  const field = (
    name: keyof CreateActionItemRequest,
    label: string,
    control: HTMLInputElement | HTMLTextAreaElement,
    hint?: string,
  ) => {
    control.id = `new-${name}`;
    control.name = name;
    const error = h('span', { class: 'field-error', id: `new-${name}-error` });
    control.setAttribute('aria-describedby', error.id);
    return {
      control,
      error,
      element: h(
        'div',
        { class: 'form-field' },
        h('label', { for: control.id }, label, hint ? h('span', { class: 'hint' }, ` ${hint}`) : null),
        control,
        error,
      ),
    };
  };
  const summary = field(
    'summary',
    'Summary',
    h('input', { type: 'text', required: true, maxlength: '255', autocomplete: 'off' }),
  );
  const owner = field(
    'owner',
    'Owner',
    h('input', { type: 'text', autocomplete: 'off' }),
    '(optional: Jira display name or email)',
  );
  const dueDate = field(
    'dueDate',
    'Due date',
    h('input', { type: 'date' }),
    '(optional: else the severity SLA applies)',
  );
  const description = field('description', 'Description', h('textarea', { rows: '3' }), '(optional)');
  const fields = { summary, owner, dueDate, description };
  const status = h('p', { class: 'form-status', role: 'status' });
  const submit = h('button', { type: 'submit' }, 'Create in Jira');
  const form = h(
    'form',
    { class: 'create-item', 'aria-labelledby': 'create-h', novalidate: true },
    h('h3', { id: 'create-h' }, 'New action item'),
    summary.element,
    owner.element,
    dueDate.element,
    description.element,
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const input = {
        summary: summary.control.value,
        owner: owner.control.value.trim(),
        dueDate: dueDate.control.value,
        description: description.control.value.trim(),
      };
      const errors = validateActionItem(input);
      for (const [name, f] of Object.entries(fields)) {
        const message = errors[name as keyof typeof errors] ?? '';
        f.error.textContent = message;
        f.control.setAttribute('aria-invalid', String(Boolean(message)));
      }
      const firstInvalid = Object.entries(fields).find(([name]) => errors[name as keyof typeof errors]);
      if (firstInvalid) {
        status.textContent = '';
        firstInvalid[1].control.focus();
        return;
      }
      const body: CreateActionItemRequest = { summary: input.summary.trim() };
      if (input.owner) body.owner = input.owner;
      if (input.dueDate) body.dueDate = input.dueDate;
      if (input.description) body.description = input.description;
      submit.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Creating…';
      try {
        const created = await options.api.createActionItem(incident.key, body);
        status.replaceChildren('Created ', externalLink(created.url, created.key), '.');
        form.reset();
        if (options.isCurrent()) await renderIncidentView({ ...options, created });
      } catch (error) {
        status.className = 'form-status error-text';
        const message = error instanceof Error ? error.message : String(error);
        status.textContent =
          error instanceof ApiError && error.status === 400
            ? `Jira or the server refused it: ${message}`
            : `Could not create it: ${message}`;
      } finally {
        submit.disabled = false;
      }
    })();
  });
  return form;
}

/** Downloads through the API client, so the request carries the SSO token when one is needed. */
function postmortemDownload(api: ApiClient, key: string): HTMLElement {
  const status = h('span', { class: 'form-status', role: 'status' });
  const button = h('button', { type: 'button', class: 'download' }, 'Download the post-mortem (Markdown)');
  button.addEventListener('click', () => {
    status.className = 'form-status';
    status.textContent = '';
    api.postmortemMarkdown(key).then(
      (markdown) => {
        const url = URL.createObjectURL(new Blob([markdown], { type: 'text/markdown' }));
        h('a', { href: url, download: `${key}-postmortem.md` }).click();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
      },
      (error: unknown) => {
        status.className = 'form-status error-text';
        status.textContent = `Could not download it: ${error instanceof Error ? error.message : String(error)}`;
      },
    );
  });
  const template = externalLink('/tab/postmortem-template.md', 'the blank template');
  return h('p', {}, button, ' (or start from ', template, ') ', status);
}
