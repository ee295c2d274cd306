/** A tiny element builder: the tab has no framework, and builds its DOM with this. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
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

export function append(parent: Element, children: Child[]): void {
  for (const child of children) {
    if (child == null || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
}

/** A table with a header row; cells may be nodes. */
export function table(caption: string | null, headers: string[], rows: Child[][], attrs: Attrs = {}): HTMLElement {
  return h('div', { class: 'table-wrap', ...attrs },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, ...headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, ...rows.map((cells) => h('tr', {}, ...cells.map((cell, i) => h('td', { 'data-label': headers[i] ?? '' }, cell)))))));
}

/** A link that opens outside the tab (Jira). */
export function externalLink(href: string | null, text: string): HTMLElement | string {
  return href ? h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text) : text;
}

/** Sets the colour theme (Teams' default, dark or contrast); styles.css keys off it. */
export function applyTheme(theme: 'default' | 'dark' | 'contrast'): void {
  document.documentElement.dataset.theme = theme;
}
