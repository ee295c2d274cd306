/**
 * Jira's wire formats for time: `2026-10-01T09:30:00.000+0530` (offset without a colon) for
 * date-times, `2026-10-15` for dates, and the JQL literals `yyyy-MM-dd HH:mm` read in the API
 * user's zone. Formatting runs for every timestamp of every page the sample server answers, so
 * offsets are cached per zone and hour instead of going through luxon each time.
 */
import { DateTime } from 'luxon';

const HOUR_MS = 3_600_000;
const offsetCache = new Map<string, number>();
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's UTC offset in minutes at an instant. */
export function zoneOffsetMinutes(ms: number, zone: string): number {
  const cacheKey = `${zone}|${Math.floor(ms / HOUR_MS)}`;
  const cached = offsetCache.get(cacheKey);
  if (cached !== undefined) return cached;
  let formatter = offsetFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, formatter);
  }
  const name = formatter.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  const offset = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3] ?? 0)) : 0;
  if (offsetCache.size > 200_000) offsetCache.clear();
  offsetCache.set(cacheKey, offset);
  return offset;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** `2026-10-01T09:30:00.000+0530`: the instant as wall time in `zone` with Jira's offset. */
export function formatJiraDateTime(ms: number, zone: string): string {
  const offset = zoneOffsetMinutes(ms, zone);
  const d = new Date(ms + offset * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return (
    `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}` +
    `T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}` +
    `${sign}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`
  );
}

/** The calendar date (`YYYY-MM-DD`) of an instant in a zone. */
export function formatJiraDate(ms: number, zone: string): string {
  const d = new Date(ms + zoneOffsetMinutes(ms, zone) * 60_000);
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

const ABSOLUTE = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/;
const RELATIVE_PART = /([+-]?\d+)\s*([wdhm])/gi;
const UNIT_MS: Record<string, number> = { w: 7 * 86_400_000, d: 86_400_000, h: HOUR_MS, m: 60_000 };

/**
 * A JQL date literal as an instant: absolute `yyyy-MM-dd[ HH:mm]` (or with slashes) in the
 * user's zone, minute precision like Jira; relative `-15m`, `-1d`, `4w 2d`; or epoch millis.
 * Returns null when the literal is none of these.
 */
export function parseJqlDate(literal: string, zone: string, nowMs: number): number | null {
  const text = literal.trim();
  const absolute = ABSOLUTE.exec(text);
  if (absolute) {
    const dt = DateTime.fromObject(
      {
        year: Number(absolute[1]),
        month: Number(absolute[2]),
        day: Number(absolute[3]),
        hour: absolute[4] === undefined ? 0 : Number(absolute[4]),
        minute: absolute[5] === undefined ? 0 : Number(absolute[5]),
      },
      { zone },
    );
    return dt.isValid ? dt.toMillis() : null;
  }
  if (/^-?\d{10,}$/.test(text)) return Number(text);
  if (/^[+-]?\d+\s*[wdhm](\s*[+-]?\d+\s*[wdhm])*$/i.test(text)) {
    let offset = 0;
    let sign = 1;
    for (const part of text.matchAll(RELATIVE_PART)) {
      const raw = part[1] ?? '0';
      if (raw.startsWith('-')) sign = -1;
      else if (raw.startsWith('+')) sign = 1;
      offset += sign * Math.abs(Number(raw)) * (UNIT_MS[(part[2] ?? 'm').toLowerCase()] ?? 0);
    }
    return nowMs + offset;
  }
  return null;
}
