/**
 * Links in markdown we write (the digest card, the post-mortem export) go only to http(s)
 * and mailto: a `javascript:` (or `data:`, `vbscript:`, `file:`) link in a Jira summary
 * or an imported document must not become a live link in what we hand to a reader.
 */

const ALLOWED_DESTINATION = /^(?:https?:\/\/|mailto:|#)/i;

/** The URL when it is http(s) or mailto, made safe inside `[label](url)`; else null. */
export function safeLinkUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  const trimmed = url.trim();
  if (!/^(?:https?:\/\/|mailto:)/i.test(trimmed)) return null;
  // Characters that would end the destination or open markup are percent-encoded.
  return trimmed.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Every link destination in a markdown text that is not http(s), mailto or `#...` is
 * turned into plain text: inline links and images (`](dest`), autolinks (`<scheme:...>`)
 * and reference definitions (`[x]: dest`). Entities are read as CommonMark reads them,
 * so `&#106;avascript:` counts as `javascript:`.
 */
export function neutraliseLinks(markdown: string): string {
  const decoded = (dest: string) =>
    dest
      .replace(/&#(x?)([0-9a-f]+);?/gi, (_m, hex: string, code: string) =>
        String.fromCodePoint(parseInt(code, hex ? 16 : 10) || 0x3f),
      )
      .replace(/^<|\\/g, '');
  return markdown
    .replace(/\]\(([ \t]*)([^\s)]*)/g, (whole, space: string, dest: string) =>
      dest === '' || ALLOWED_DESTINATION.test(decoded(dest)) ? whole : `]\\(${space}${dest}`,
    )
    .replace(/<([a-z][a-z0-9+.-]{1,31}):([^<>\s]*)>/gi, (whole, scheme: string) =>
      /^(?:https?|mailto)$/i.test(scheme) ? whole : `\\${whole}`,
    )
    .replace(
      /^( {0,3})\[([^\]\n]+)\]:([ \t]*)(\S+)/gm,
      (whole, indent: string, label: string, space: string, dest: string) =>
        ALLOWED_DESTINATION.test(decoded(dest)) ? whole : `${indent}\\[${label}\\]:${space}${dest}`,
    );
}
