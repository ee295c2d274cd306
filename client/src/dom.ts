/** A tiny element builder: the tab has no framework, and builds its DOM with this. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** A table with a header row; cells may be nodes. */
export function table(caption: string | null, headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', ...attrs },
    h(
      'table',
      {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
      h(
        'tbody',
        {},
        ...rows.map((cells) =>
          h('tr', {}, ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell))),
        ),
      ),
    ),
  );
}

/** A table showing its first `limit` rows, with a button that shows the rest. */
export function limitedTable(headers: string[], rows: Child[][], attrs: Attrs, limit: number): HTMLElement {
  if (rows.length <= limit) return table(null, headers, rows, attrs);
  const wrapper = h('div', {});
  const more = h('button', { type: 'button', class: 'show-all' }, `Show all ${rows.length}`);
  more.addEventListener('click', () => {
    wrapper.replaceChildren(table(null, headers, rows, attrs));
    (
      wrapper.querySelector(
        'tbody tr:nth-child(' + (limit + 1) + ') a, tbody tr:nth-child(' + (limit + 1) + ') td',
      ) as HTMLElement | null
    )?.focus();
  });
  wrapper.append(
    table(null, headers, rows.slice(0, limit), attrs),
    h('p', { class: 'note' }, `Showing ${limit} of ${rows.length}. `, more),
  );
  return wrapper;
}

/** A link that opens outside the tab (Jira). */
export function externalLink(href: string | null, text: string): HTMLElement | string {
  return href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text) : text;
}

/** A labelled drop-down that calls `onChange` with the value picked. */
export function selectField(
  name: string,
  label: string,
  options: Array<[string, string]>,
  value: string,
  onChange: (value: string) => void,
  idPrefix = 'f',
): HTMLElement {
  const control = h(
    'select',
    { name, id: `${idPrefix}-${name}` },
    ...options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
  control.addEventListener('change', () => onChange(control.value));
  return h('label', { class: 'field', for: control.id }, h('span', {}, label), control);
}

/** What failed, in the server's words (ApiError carries them), and a button that tries again. */
export function errorBox(error: unknown, retry: () => void): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  return h(
    'div',
    { class: 'error', role: 'alert' },
    h('p', {}, h('strong', {}, 'Could not load: '), message),
    h('button', { type: 'button', class: 'retry', onclick: retry }, 'Retry'),
  );
}

/** Sets the colour theme (Teams' default, dark or contrast); styles.css keys off it. */
export function applyTheme(theme: 'default' | 'dark' | 'contrast'): void {
  document.documentElement.dataset.theme = theme;
}
