/**
 * Walking a post-mortem's markdown outline (the unified + remark-parse + remark-gfm syntax
 * tree): its title, its sections by what their headings mean, and every `label: value` the
 * document states, wherever and however it was written (a list item, a bold label, a line
 * of a paragraph, a sub-heading with paragraphs under it).
 */
import type { Heading, List, ListItem, Nodes, Paragraph, PhrasingContent, Root, RootContent } from 'mdast';
import { sectionOf, type SectionKind } from './vocabulary.js';

/** Plain text of a node, the way a reader sees it (inline code without its backticks). */
export function textOf(node: Nodes): string {
  if ('value' in node && typeof node.value === 'string' && node.type !== 'html') return node.value;
  if (node.type === 'break') return ' ';
  if ('children' in node) {
    const separator = node.type === 'list' || node.type === 'listItem' || node.type === 'root' ? '\n' : '';
    return (node.children as Nodes[]).map(textOf).join(separator);
  }
  return '';
}

export function lineOf(node: Nodes): number {
  return node.position?.start.line ?? 0;
}

export function linksIn(node: Nodes): Array<{ text: string; url: string }> {
  if (node.type === 'link') return [{ text: textOf(node).trim(), url: node.url }];
  if ('children' in node) return (node.children as Nodes[]).flatMap(linksIn);
  return [];
}

/** One `label: value` the document states, wherever and however it was written. */
export interface LabelledValue {
  label: string;
  /** Inline text after the label (may be empty). */
  text: string;
  /** Items of a list nested under it, or paragraphs under a sub-heading. */
  items: string[];
  line: number;
  section: SectionKind | null;
}

export interface Section {
  kind: SectionKind | null;
  heading: string;
  line: number;
  nodes: RootContent[];
}

/** Splits `**Label:** value`, `**Label**: value`, `Label: value`, `**Question?** answer`. */
function splitLabel(paragraph: Paragraph): { label: string; text: string } | null {
  const [first, ...rest] = paragraph.children;
  if (!first) return null;
  if (first.type === 'strong' || first.type === 'emphasis') {
    const label = textOf(first)
      .trim()
      .replace(/[:：]$/, '')
      .trim();
    const text = rest
      .map((child: PhrasingContent) => textOf(child))
      .join('')
      .replace(/^\s*[:：-]?\s*/, '');
    return label ? { label, text } : null;
  }
  const whole = textOf(paragraph);
  const match = /^([^:?\n]{2,80}?)(\?|:)\s+([\s\S]*)$/.exec(whole) ?? /^([^:?\n]{2,80}?)(\?|:)\s*$/.exec(whole);
  if (!match) return null;
  // A label is short words, not a sentence that happens to contain a colon.
  if (match[2] === ':' && /\d{1,2}$/.test(match[1]!)) return null;
  return { label: match[1]!.trim() + (match[2] === '?' ? '?' : ''), text: (match[3] ?? '').trim() };
}

function emptyParagraphAt(line: number): Paragraph {
  return {
    type: 'paragraph',
    children: [],
    position: { start: { line, column: 1 }, end: { line, column: 1 } },
  };
}

/** A paragraph's source lines, each as a paragraph of its own (soft line breaks split). */
function paragraphLines(paragraph: Paragraph): Paragraph[] {
  const start = lineOf(paragraph);
  const lines: Paragraph[] = [emptyParagraphAt(start)];
  for (const child of paragraph.children) {
    if (child.type === 'break') {
      lines.push(emptyParagraphAt(start + lines.length));
      continue;
    }
    if (child.type !== 'text' || !child.value.includes('\n')) {
      lines[lines.length - 1]!.children.push(child);
      continue;
    }
    child.value.split('\n').forEach((piece, index) => {
      if (index > 0) lines.push(emptyParagraphAt(start + lines.length));
      if (piece !== '') lines[lines.length - 1]!.children.push({ type: 'text', value: piece });
    });
  }
  return lines.filter((line) => line.children.length > 0);
}

function listItemTexts(list: List): string[] {
  return list.children.map((item) => textOf(item).replace(/\s+/g, ' ').trim());
}

/** A paragraph or list as the item texts a field's value is made of. */
function blockTexts(node: RootContent): string[] {
  return node.type === 'list' ? listItemTexts(node) : [textOf(node).replace(/\s+/g, ' ').trim()];
}

/** The document's title (a first `#` heading that names no section) and its sections in order. */
export function splitSections(root: Root): { title: string | null; titleLine: number; sections: Section[] } {
  let title: string | null = null;
  let titleLine = 1;
  const sections: Section[] = [{ kind: null, heading: '', line: 1, nodes: [] }];
  for (const node of root.children) {
    if (node.type === 'heading') {
      const text = textOf(node).trim();
      if (node.depth === 1 && title === null && !sectionOf(text)) {
        title = text;
        titleLine = lineOf(node);
        continue;
      }
      const kind = sectionOf(text);
      const current = sections[sections.length - 1]!;
      // A sub-heading that names no section (`### Immediate cause`) belongs to the section it is in.
      if (kind !== null || node.depth <= 2 || current.kind === null) {
        sections.push({ kind, heading: text, line: lineOf(node), nodes: [] });
        continue;
      }
    }
    sections[sections.length - 1]!.nodes.push(node);
  }
  return { title, titleLine, sections };
}

/** Every `label: value` of a section, in document order. */
export function labelledValues(section: Section): LabelledValue[] {
  const values: LabelledValue[] = [];
  const nodes = section.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.type === 'list') {
      for (const item of node.children) values.push(...fromListItem(item, section.kind));
    } else if (node.type === 'paragraph') {
      const read = fromParagraph(node, nodes[i + 1], section.kind);
      values.push(...read.values);
      if (read.usedNext) i++;
    } else if (node.type === 'heading') {
      // `### Immediate cause` followed by paragraphs or a list: the heading is the label.
      const items: string[] = [];
      while (nodes[i + 1] && nodes[i + 1]!.type !== 'heading' && nodes[i + 1]!.type !== 'table') {
        items.push(...blockTexts(nodes[++i]!));
      }
      values.push({
        label: textOf(node as Heading).trim(),
        text: '',
        items,
        line: lineOf(node),
        section: section.kind,
      });
    }
  }
  // A section whose heading is itself the field (`## Lessons Learned` with a plain list).
  if (values.length === 0 && section.kind !== null && section.kind !== 'links') {
    const texts = section.nodes.filter((n) => n.type === 'paragraph' || n.type === 'list');
    if (texts.length > 0) {
      const items = texts.flatMap(blockTexts);
      values.push({ label: section.heading, text: '', items, line: lineOf(texts[0]!), section: section.kind });
    }
  }
  return values;
}

/**
 * The labelled lines of a paragraph; a last label with no inline value takes the list that
 * follows the paragraph as its items (`usedNext`).
 */
function fromParagraph(
  paragraph: Paragraph,
  next: RootContent | undefined,
  section: SectionKind | null,
): { values: LabelledValue[]; usedNext: boolean } {
  const values: LabelledValue[] = [];
  let usedNext = false;
  // `**Start**: …` and `**End**: …` on consecutive lines are one paragraph: read it line by line.
  const lines = paragraphLines(paragraph);
  lines.forEach((line, index) => {
    const split = splitLabel(line);
    if (!split) return;
    const last = index === lines.length - 1;
    const items = last && next?.type === 'list' && !split.text.trim() ? listItemTexts(next) : [];
    if (items.length > 0) usedNext = true;
    values.push({ ...split, items, line: lineOf(line), section });
  });
  return { values, usedNext };
}

function fromListItem(item: ListItem, section: SectionKind | null): LabelledValue[] {
  const [first, ...rest] = item.children;
  if (first?.type !== 'paragraph') return [];
  const split = splitLabel(first);
  if (!split) return [];
  return [{ ...split, items: rest.flatMap(blockTexts), line: lineOf(item), section }];
}
