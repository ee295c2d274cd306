/**
 * Calendar arithmetic in the configured TIMEZONE. Due dates, "today", and ISO weeks are
 * all calendar notions, so they are computed in the zone the team works in, never in
 * the server's local zone. Instants stay UTC everywhere else.
 */
import { DateTime, IANAZone } from 'luxon';
import type { IsoDate, IsoInstant } from './domain/types.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isValidTimeZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** The calendar date of an instant in a zone. */
export function calendarDate(instant: IsoInstant | Date, zone: string): IsoDate {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return DateTime.fromMillis(ms, { zone }).toISODate() as IsoDate;
}

/** 00:00 of a calendar date in a zone, as a UTC instant. */
export function startOfDate(date: IsoDate, zone: string): IsoInstant {
  return DateTime.fromISO(date, { zone }).startOf('day').toUTC().toISO() as IsoInstant;
}

/** The Monday (as a date) of the ISO week an instant falls in, in a zone. */
export function isoWeekStart(instant: IsoInstant | Date, zone: string): IsoDate {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  return DateTime.fromMillis(ms, { zone }).startOf('week').toISODate() as IsoDate;
}

/** The ISO week name (`2026-W47`) of an instant in a zone. */
export function isoWeekName(instant: IsoInstant | Date, zone: string): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  const dt = DateTime.fromMillis(ms, { zone });
  return `${dt.weekYear}-W${String(dt.weekNumber).padStart(2, '0')}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
