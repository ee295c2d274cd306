/**
 * Reading the values people actually write in a post-mortem: template placeholders,
 * dates in several spellings, durations in several spellings, severities. Pure functions;
 * each returns null for "empty" and throws nothing: the parser turns `undefined`
 * ("not readable") into a problem naming the line.
 */
import { DateTime } from 'luxon';
import type { IsoDate, IsoInstant, Severity } from '../domain/types.js';

const PLACEHOLDER_WORDS = /\b(?:YYYY-MM-DD|YYYY|MM|DD|HH:MM(?::SS)?|hh:mm|TBD|TBC|TODO|none|null)\b/gi;

/**
 * True when a value is a template placeholder or nothing at all: `[Name]`,
 * `[Start Time] - [End Time]`, `YYYY-MM-DD`, `TBD`, `-`, an empty cell.
 */
export function isPlaceholder(text: string | null | undefined): boolean {
  if (text == null) return true;
  const rest = text
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(PLACEHOLDER_WORDS, ' ')
    .replace(/\bN\/A\b/gi, ' ');
  return !/[\p{L}\p{N}]/u.test(rest);
}

/** The trimmed text with surrounding quotes removed, or null when it is a placeholder. */
export function cleanText(text: string | null | undefined): string | null {
  if (text == null) return null;
  let value = text.replace(/\s+/g, ' ').trim();
  const quoted = /^["“'](.*)["”']$/.exec(value);
  if (quoted?.[1] !== undefined && !/["“”]/.test(quoted[1])) value = quoted[1].trim();
  return isPlaceholder(value) ? null : value;
}

const LOCALE = { locale: 'en-US' } as const;
const DATE_FORMATS = [
  'yyyy-MM-dd',
  'yyyy/MM/dd',
  'MMM d, yyyy',
  'MMM d yyyy',
  'MMMM d, yyyy',
  'MMMM d yyyy',
  'd MMM yyyy',
  'd MMMM yyyy',
  'EEE, MMM d, yyyy',
  'EEEE, MMMM d, yyyy',
];
const TIME_FORMATS = ['HH:mm', 'H:mm', 'HH:mm:ss', 'H:mm:ss', 'h:mm a', 'h:mma', 'h a', 'ha'];

function normaliseDateText(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/\bSept\b/gi, 'Sep')
    .replace(/(\d)(st|nd|rd|th)\b/gi, '$1')
    .replace(/\b(am|pm)\b/gi, (m) => m.toUpperCase())
    .trim();
}

/** Splits a trailing zone marker off: `14:05 UTC`, `14:05Z`, `14:05 (UTC)`, `14:05 +02:00`. */
function splitZone(text: string, defaultZone: string): { rest: string; zone: string } {
  const match = /\s*(?:\(?\b(UTC|GMT)\)?|Z|([+-]\d{2}:?\d{2}))$/.exec(text);
  if (!match || match.index === 0) return { rest: text, zone: defaultZone };
  const offset = match[2];
  const zone = offset ? `UTC${offset.slice(0, 3)}:${offset.slice(-2)}` : 'UTC';
  return { rest: text.slice(0, match.index).replace(/[T,\s]+$/, ''), zone };
}

export interface ParsedMoment {
  /** The instant; for a time without a date, on `baseDate`. */
  instant: IsoInstant;
  /** The text had a date (not only a time of day). */
  hasDate: boolean;
  /** The text had a time of day (not only a date). */
  hasTime: boolean;
}

/**
 * Reads `2026-11-03`, `2026-11-03 14:05`, `2026-11-03T14:05:00Z`, `Nov 3, 2026`,
 * `Nov 3, 2026 2:05 PM`, `3 November 2026 14:05 UTC`, and a bare `14:05` (on `baseDate`).
 * Times without an offset are in `zone` (the template's columns say UTC).
 * Returns null for a placeholder, undefined when the text is not a date.
 */
export function parseMoment(
  text: string,
  zone: string,
  baseDate: IsoDate | null = null,
): ParsedMoment | null | undefined {
  const cleaned = cleanText(text);
  if (cleaned === null) return null;
  const iso = DateTime.fromISO(cleaned.replace(' ', 'T'), { zone, setZone: true });
  if (iso.isValid && /^\d{4}-\d{2}-\d{2}/.test(cleaned)) {
    const hasTime = /\d{4}-\d{2}-\d{2}[T ]\d/.test(cleaned);
    return { instant: iso.toUTC().toISO() as IsoInstant, hasDate: true, hasTime };
  }
  const { rest, zone: effectiveZone } = splitZone(normaliseDateText(cleaned), zone);
  const options = { zone: effectiveZone, ...LOCALE };
  for (const dateFormat of DATE_FORMATS) {
    const dateOnly = DateTime.fromFormat(rest, dateFormat, options);
    if (dateOnly.isValid) return { instant: dateOnly.toUTC().toISO() as IsoInstant, hasDate: true, hasTime: false };
    for (const timeFormat of TIME_FORMATS) {
      for (const joiner of [' ', ', ', ' at ', 'T']) {
        const both = DateTime.fromFormat(
          rest,
          `${dateFormat}${joiner === 'T' ? "'T'" : joiner === ' at ' ? " 'at' " : joiner}${timeFormat}`,
          options,
        );
        if (both.isValid) return { instant: both.toUTC().toISO() as IsoInstant, hasDate: true, hasTime: true };
      }
    }
  }
  for (const timeFormat of TIME_FORMATS) {
    const timeOnly = DateTime.fromFormat(rest, timeFormat, options);
    if (!timeOnly.isValid) continue;
    if (baseDate === null) return undefined;
    const onDate = DateTime.fromISO(baseDate, options).set({
      hour: timeOnly.hour,
      minute: timeOnly.minute,
      second: timeOnly.second,
    });
    return { instant: onDate.toUTC().toISO() as IsoInstant, hasDate: false, hasTime: true };
  }
  return undefined;
}

/** A calendar date (`YYYY-MM-DD`) from any spelling `parseMoment` reads; a time is dropped. */
export function parseCalendarDate(text: string): IsoDate | null | undefined {
  const cleaned = cleanText(text);
  if (cleaned === null) return null;
  const leadingIso = /^(\d{4}-\d{2}-\d{2})(?:$|[T ])/.exec(cleaned);
  if (leadingIso?.[1]) {
    return DateTime.fromISO(leadingIso[1], { zone: 'UTC' }).isValid ? leadingIso[1] : undefined;
  }
  const moment = parseMoment(cleaned, 'UTC');
  if (!moment?.hasDate) return moment === null ? null : undefined;
  return moment.instant.slice(0, 10);
}

const UNIT_SECONDS: Array<[RegExp, number]> = [
  [/^(?:w|wk|wks|weeks?)$/, 604_800],
  [/^(?:d|days?)$/, 86_400],
  [/^(?:h|hr|hrs|hours?)$/, 3_600],
  [/^(?:m|min|mins|minutes?)$/, 60],
  [/^(?:s|sec|secs|seconds?)$/, 1],
];

/**
 * Reads `2 hours 15 minutes`, `2h15m`, `2h 15m`, `135 min`, `1.5 hours`, `~5 minutes`,
 * `1 hour and 30 minutes`, `01:30:00` (h:mm:ss). A parenthetical remark is ignored.
 * Returns seconds, null for a placeholder, undefined when it is not a duration.
 */
export function parseDuration(text: string): number | null | undefined {
  const cleaned = cleanText(text);
  if (cleaned === null) return null;
  const value = cleaned
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/^(?:~|≈|about|approx\.?|approximately|around|roughly|under|less than|<)\s*/, '')
    .trim();
  const clock = /^(\d+):([0-5]\d):([0-5]\d)$/.exec(value);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  const token = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let seconds = 0;
  let match: RegExpExecArray | null;
  let found = false;
  while ((match = token.exec(value)) !== null) {
    const unit = UNIT_SECONDS.find(([pattern]) => pattern.test(match![2]!));
    if (!unit) return undefined;
    seconds += Number(match[1]) * unit[1];
    found = true;
  }
  const leftover = value.replace(token, '').replace(/\b(?:and)\b|[,\s+]/g, '');
  if (!found || leftover !== '') return undefined;
  return Math.round(seconds);
}

/** `P1`, `p1`, `P1 - High`, `SEV1`, `Sev-1`, `Severity 1` → `P1`. Null: placeholder; undefined: unreadable. */
export function parseSeverity(text: string): Severity | null | undefined {
  const cleaned = cleanText(text);
  if (cleaned === null) return null;
  const match = /^(?:p|sev(?:erity)?[\s-]*)([0-4])\b/i.exec(cleaned);
  return match ? (`P${match[1]}` as Severity) : undefined;
}

const JIRA_KEY = /^[A-Z][A-Z0-9_]+-[1-9]\d*$/;

/** A Jira issue key such as `TEAMA-30` (not `INC-123-1`, which is a document's own reference). */
export function isJiraKey(text: string | null | undefined): boolean {
  return text != null && JIRA_KEY.test(text.trim());
}

/** `1. Why a? b. 2. Why c? d.` → its items, when numbered 1, 2, 3... from the start; else null. */
function splitInlineNumbered(text: string): string[] | null {
  const marks = [...text.matchAll(/(?:^|\s)(\d{1,2})[.)]\s+/g)];
  const sequential: RegExpMatchArray[] = [];
  for (const mark of marks) {
    if (Number(mark[1]) === sequential.length + 1) sequential.push(mark);
  }
  if (sequential.length < 2 || sequential[0]!.index !== 0) return null;
  return sequential.map((mark, i) => {
    const start = mark.index! + mark[0].length;
    const end = i + 1 < sequential.length ? sequential[i + 1]!.index! : text.length;
    return text.slice(start, end).trim();
  });
}

/**
 * Splits an inline list into items (placeholders dropped). Names (`separators: 'names'`)
 * split on commas and semicolons: `checkout, payments; search`. Prose splits only when
 * written as quoted items, the template's way: `"Lack of load testing", "Threshold too high"`;
 * otherwise a sentence with a comma stays one item.
 */
export function splitList(text: string | null, separators: 'names' | 'prose'): string[] {
  if (text === null) return [];
  const quoted = [...text.matchAll(/["“]([^"”]+)["”]/g)].map((m) => m[1]!.trim());
  const outside = text.replace(/["“][^"”]+["”]/g, '').replace(/[,;\s]|\band\b/g, '');
  let parts: string[];
  if (quoted.length > 0 && outside === '') parts = quoted;
  else if (separators === 'names') parts = text.split(/\s*[;,]\s*/);
  else parts = splitInlineNumbered(text) ?? [text];
  return parts.map((part) => cleanText(part)).filter((part): part is string => part !== null);
}
