/**
 * Reading Jira field values the way Jira Cloud returns them: options `{ value }`, arrays
 * of options or components `{ name }`, users `{ displayName }`, priorities `{ name }`,
 * date-times with a numeric offset (`2026-10-01T09:30:00.000+0530`), dates
 * (`2026-10-15`), plain text and Atlassian Document Format. A value of a shape we do not
 * know is reported (never guessed at): the caller stores that point as missing.
 */
import { startOfDate } from '../time.js';
import type { IsoDate, IsoInstant } from '../domain/types.js';

export type Read<T> = { ok: true; value: T | null } | { ok: false; reason: string };

const ok = <T>(value: T | null): Read<T> => ({ ok: true, value });
const bad = <T>(reason: string): Read<T> => ({ ok: false, reason });

function describe(raw: unknown): string {
  if (Array.isArray(raw)) return 'an array';
  if (raw && typeof raw === 'object') {
    const keys = Object.keys(raw).slice(0, 5);
    return keys.length > 0 ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  const text = JSON.stringify(raw) ?? String(raw);
  return `${typeof raw} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}

/** Plain text of an Atlassian Document Format node (paragraphs on their own lines). */
function adfText(node: unknown): string {
  if (!node || typeof node !== 'object') return '';
  const { type, text, content } = node as { type?: unknown; text?: unknown; content?: unknown };
  if (typeof text === 'string') return text;
  if (!Array.isArray(content)) return type === 'hardBreak' ? '\n' : '';
  const parts = content.map(adfText);
  return type === 'doc' ? parts.join('\n') : parts.join('');
}

/** A value as one piece of text: the option's value, the user's or component's name, ... */
export function readText(raw: unknown): Read<string> {
  if (raw === null || raw === undefined) return ok(null);
  if (typeof raw === 'string') {
    const text = raw.trim();
    return ok(text === '' ? null : text);
  }
  if (typeof raw === 'number' && Number.isFinite(raw)) return ok(String(raw));
  if (Array.isArray(raw)) {
    const list = readTextList(raw);
    if (!list.ok) return list;
    return ok(list.value && list.value.length > 0 ? list.value.join(', ') : null);
  }
  if (typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    if (o.type === 'doc' && Array.isArray(o.content)) return readText(adfText(o));
    if (typeof o.value === 'string') {
      const child = (o.child as { value?: unknown } | undefined)?.value;
      return readText(typeof child === 'string' ? `${o.value} - ${child}` : o.value);
    }
    if (typeof o.displayName === 'string') return readText(o.displayName);
    if (typeof o.name === 'string') return readText(o.name);
  }
  return bad(`unrecognised value: ${describe(raw)}`);
}

/** A value as a list of texts (components, multi-select options, labels); empty when absent. */
export function readTextList(raw: unknown): Read<string[]> {
  if (raw === null || raw === undefined) return ok([]);
  const elements = Array.isArray(raw) ? raw : [raw];
  const texts: string[] = [];
  for (const element of elements) {
    if (Array.isArray(element)) return bad(`unrecognised value: a nested array`);
    const text = readText(element);
    if (!text.ok) return text;
    if (text.value !== null) texts.push(text.value);
  }
  return ok(texts);
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const probe = new Date(Date.UTC(y, m - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
}

const dayStartCache = new Map<string, IsoInstant>();
function dayStart(date: IsoDate, timezone: string): IsoInstant {
  const cacheKey = `${timezone}|${date}`;
  let instant = dayStartCache.get(cacheKey);
  if (instant === undefined) {
    instant = startOfDate(date, timezone);
    if (dayStartCache.size > 10_000) dayStartCache.clear();
    dayStartCache.set(cacheKey, instant);
  }
  return instant;
}

/**
 * A date-time (its own offset wins) or a date (00:00 of that date in `timezone`) as a
 * UTC instant. A date-time without an offset is read as wall time in `timezone`.
 */
export function readInstant(raw: unknown, timezone: string): Read<IsoInstant> {
  if (raw === null || raw === undefined) return ok(null);
  if (typeof raw !== 'string') return bad(`not a date-time: ${describe(raw)}`);
  const text = raw.trim();
  if (text === '') return ok(null);
  const dateOnly = DATE.exec(text);
  if (dateOnly) {
    const [, y, m, d] = dateOnly.map(Number) as [number, number, number, number];
    return validDate(y, m, d) ? ok(dayStart(text, timezone)) : bad(`not a valid date: "${text}"`);
  }
  const match = DATE_TIME.exec(text);
  if (!match) return bad(`not a date-time or date: "${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`);
  const [, ys, mos, ds, hs, mis, ss, fraction, offset] = match;
  const y = Number(ys);
  const mo = Number(mos);
  const d = Number(ds);
  const h = Number(hs);
  const mi = Number(mis);
  const s = ss === undefined ? 0 : Number(ss);
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return bad(`not a valid date-time: "${text}"`);
  const ms = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  if (offset === undefined) {
    // Wall time in the team's zone: take 00:00 of that date there, then add the clock time.
    const midnight = Date.parse(dayStart(`${ys}-${mos}-${ds}`, timezone));
    const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms) - Date.UTC(y, mo - 1, d);
    return ok(new Date(midnight + wall).toISOString());
  }
  let offsetMinutes = 0;
  if (offset !== 'Z') {
    const digits = offset.replace(':', '');
    const sign = digits.startsWith('-') ? -1 : 1;
    const oh = Number(digits.slice(1, 3));
    const om = digits.length > 3 ? Number(digits.slice(3, 5)) : 0;
    if (oh > 18 || om > 59) return bad(`not a valid offset: "${text}"`);
    offsetMinutes = sign * (oh * 60 + om);
  }
  const utc = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
  return ok(new Date(utc).toISOString());
}

/** A calendar date (`duedate`): `YYYY-MM-DD`. */
export function readDate(raw: unknown): Read<IsoDate> {
  if (raw === null || raw === undefined) return ok(null);
  if (typeof raw !== 'string') return bad(`not a date: ${describe(raw)}`);
  const text = raw.trim();
  if (text === '') return ok(null);
  const match = DATE.exec(text);
  if (!match) return bad(`not a date (YYYY-MM-DD): "${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`);
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  return validDate(y, m, d) ? ok(text) : bad(`not a valid date: "${text}"`);
}
